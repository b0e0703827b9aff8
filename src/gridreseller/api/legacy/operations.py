"""A use case as the legacy API reaches it: its declared parameters and its service.

The API hands an `Operation` the request's parameter bag; it parses the bag by the
operation's declaration into a typed command (every problem reported together) and
runs the service function with it. `distributor.manage` multiplexes
operations over one endpoint: a `Selector` picks one by `method` (and `task`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gridreseller.api.legacy.fields import Declaration
from gridreseller.api.legacy.params import Params
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Actor, Result
from gridreseller.services.context import ServiceContext

C = TypeVar("C")
Service = Callable[[ServiceContext, Actor, C], Awaitable[Result]]
# Checks against stored data (the service's own, e.g. services.customers.add_problems),
# run on what did parse when something else did not, so that a request's problems are
# all reported together (docs/api.md).
Screen = Callable[[ServiceContext, Actor, Mapping[str, Any]], Awaitable[list[Problem]]]


@dataclass(frozen=True)
class Operation(Generic[C]):
    summary: str
    declaration: Declaration[C]
    service: Service[C]
    screen: Screen | None = None

    async def run(self, ctx: ServiceContext, actor: Actor, params: Params) -> Result:
        values, problems = self.declaration.read(params, ctx.parse_context())
        if problems and self.screen is not None:
            problems += await self.screen(ctx, actor, values)
        if problems:
            raise Invalid(problems)
        return await self.service(ctx, actor, self.declaration.build(values))


@dataclass(frozen=True)
class Selector:
    """Picks an operation by the value of one parameter (a nested selector for `task`)."""

    parameter: str
    choices: Mapping[str, Operation[Any] | Selector]
    # Names listed in the "must be one of" answer (default: the choices).
    listed: tuple[str, ...] = ()

    def select(self, params: Params) -> Operation[Any]:
        value = params.get(self.parameter)
        if not value:
            raise Invalid([Problem(self.parameter, f"{self.parameter} is required")])
        choice = self.choices.get(value)
        if choice is None:
            names = ", ".join(self.listed or tuple(self.choices))
            raise Invalid([Problem(self.parameter, f"{self.parameter} must be one of {names}")])
        return choice.select(params) if isinstance(choice, Selector) else choice

    async def run(self, ctx: ServiceContext, actor: Actor, params: Params) -> Result:
        return await self.select(params).run(ctx, actor, params)

    def operations(self) -> list[tuple[tuple[str, ...], Operation[Any]]]:
        """Every operation with the values that select it, in declaration order."""
        found: list[tuple[tuple[str, ...], Operation[Any]]] = []
        for value, choice in self.choices.items():
            if isinstance(choice, Selector):
                found += [((value, *path), op) for path, op in choice.operations()]
            else:
                found.append(((value,), choice))
        return found
