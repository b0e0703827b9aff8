"""Each legacy call's parameters, declared once: parsing, error messages and the
OpenAPI schema (api/openapi.py) all derive from a `Declaration` of `Field`s.

A field is a name, a `Kind` (what a value must look like: api/legacy/kinds.py),
whether it is required, and whether it repeats (`name[]`). Parsing a request reads
every field, collects every problem (each message names its parameter) and raises
them together as one `Invalid`; otherwise it builds the call's typed command.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from gridreseller.api.legacy.kinds import Kind, ParseContext
from gridreseller.api.legacy.params import Params
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.field_rules import FieldLimits, FieldProblem

C = TypeVar("C")


@dataclass(frozen=True)
class Field:
    """One request parameter. `attr` is the command attribute it fills (default: name);
    `aliases` are other parameter names read when this one is absent or empty."""

    name: str
    kind: Kind
    required: bool = False
    repeatable: bool = False
    description: str = ""
    example: str | None = None
    attr: str | None = None
    aliases: tuple[str, ...] = ()
    default: Any = None

    @property
    def attribute(self) -> str:
        return self.attr or self.name

    @property
    def simple(self) -> bool:
        """Read under its own name only, one value."""
        return not self.aliases and not self.repeatable

    @property
    def wire_name(self) -> str:
        """The name as sent: `ip[]` for a repeatable field."""
        return f"{self.name}[]" if self.repeatable else self.name

    def read(self, context: ParseContext, problems: list[Problem]) -> Any:
        if self.repeatable:
            return self._read_many(context, problems)
        name, raw = self._given(context.params)
        if raw is None or (raw == "" and self.kind.empty_is_absent):
            if self.required:
                problems.append(Problem(self.name, f"{self.name} is required"))
            return self.default
        if raw == "":
            problems.append(Problem(self.name, self.kind.empty(name)))
            return self.default
        try:
            return self.kind.parse(name, raw, context)
        except FieldProblem as problem:
            problems.append(Problem(self.name, str(problem)))
            return self.default

    def _given(self, params: Params) -> tuple[str, str | None]:
        """The first of the names that carries a value (else the field's own, as given)."""
        own = params.values.get(self.name)
        if own or not self.aliases:
            return self.name, own
        for alias in self.aliases:
            value = params.values.get(alias)
            if value:
                return alias, value
        return self.name, own

    def _read_many(self, context: ParseContext, problems: list[Problem]) -> list[Any]:
        values: list[Any] = []
        for raw in context.params.many(self.name):
            try:
                values.append(self.kind.parse(self.wire_name, raw, context))
            except FieldProblem as problem:
                problems.append(Problem(self.name, str(problem)))
        return list(dict.fromkeys(values))


# A check across fields: given the parameters as sent, a problem or None.
Check = Callable[[Params, ParseContext], Problem | None]


def at_least_one_of(names: Sequence[str]) -> Check:
    def check(params: Params, _context: ParseContext) -> Problem | None:
        if any(params.get(name) is not None for name in names):
            return None
        return Problem(None, f"at least one of {', '.join(names)} is required")

    return check


class _ReadingPlan(NamedTuple):
    defaults: dict[str, Any]
    always: tuple[tuple[Field, str], ...]
    optional: dict[str, tuple[Field, str]]
    order: dict[str, int]


@dataclass(frozen=True)
class Declaration(Generic[C]):
    """A call's parameters and the command they make."""

    command: Callable[..., C]
    fields: tuple[Field, ...]
    checks: tuple[Check, ...] = ()
    # Sets of parameters of which at least one must be given (for the OpenAPI document).
    any_of: tuple[tuple[str, ...], ...] = ()

    @functools.cached_property
    def _plan(self) -> _ReadingPlan:
        """What `read` needs, worked out once, not on every request."""
        optional = {f.name: (f, f.attribute) for f in self.fields if f.simple and not f.required}
        return _ReadingPlan(
            defaults={f.attribute: f.default for f in self.fields},
            always=tuple((f, f.attribute) for f in self.fields if f.name not in optional),
            optional=optional,
            order={f.name: index for index, f in enumerate(self.fields)},
        )

    def parse(self, params: Params, context: FieldLimits | ParseContext) -> C:
        """The typed command, or Invalid with every problem of the request."""
        values, problems = self.read(params, context)
        if problems:
            raise Invalid(problems)
        return self.build(values)

    def read(
        self, params: Params, limits: FieldLimits | ParseContext
    ) -> tuple[dict[str, Any], list[Problem]]:
        """Every field's value (its default where it has a problem), and the problems."""
        context = ParseContext.reading(limits, params)
        plan = self._plan
        problems: list[Problem] = []
        values = plan.defaults.copy()  # every attribute, in the declaration's order
        for f, attribute in plan.always:
            values[attribute] = f.read(context, problems)
        # Most fields of most calls are not given: an optional field is read only when
        # its name was sent, so a call costs what it was sent, not what it declares.
        for name, raw in params.values.items():
            entry = plan.optional.get(name)
            if entry is not None and raw is not None:
                values[entry[1]] = entry[0].read(context, problems)
        if problems:  # in the declaration's order, whatever the request's
            problems.sort(key=lambda problem: plan.order.get(problem.field or "", 0))
        for check in self.checks:
            problem = check(params, context)
            if problem is not None:
                problems.append(problem)
        return values, problems

    def build(self, values: Mapping[str, Any]) -> C:
        if self._in_order:  # a named tuple whose fields are the declaration's, in order
            return self._make(values.values())
        return self.command(**values)

    @functools.cached_property
    def _in_order(self) -> bool:
        fields = getattr(self.command, "_fields", None)
        return fields == tuple(f.attribute for f in self.fields)

    @functools.cached_property
    def _make(self) -> Callable[[Any], C]:
        make: Callable[[Any], C] = getattr(self.command, "_make")  # noqa: B009 - a named tuple's
        return make
