"""distributor.manage method=profile task=setSenderDomains: a customer's allowed sender
domains (docs/api.md; the rule: domain/senders.py)."""

from __future__ import annotations

from typing import NamedTuple

from gridreseller.domain import senders
from gridreseller.domain.errors import Problem
from gridreseller.domain.fields import Declaration, Field, ParseContext
from gridreseller.domain.models import Actor, Success
from gridreseller.domain.params import Params
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.customers import live_customer
from gridreseller.services.operations import Operation
from gridreseller.services.parameters import user_field
from gridreseller.services.storage import Records

PARAMETER = "sender_domains"


class SetSenderDomains(NamedTuple):
    user: str
    sender_domains: list[str]

    @property
    def entries(self) -> list[str]:
        """The list to keep: each entry once, in the order given, empty values left out."""
        return [entry for entry in self.sender_domains if entry]


def _given(params: Params, _context: ParseContext) -> Problem | None:
    """The whole list is sent every time; sending none at all is a mistake, not "any"."""
    if PARAMETER in params.arrays or params.get(PARAMETER) is not None:
        return None
    return Problem(
        PARAMETER,
        f"{PARAMETER}[] is required (one empty {PARAMETER}[] allows any sender)",
    )


def _not_too_many(params: Params, _context: ParseContext) -> Problem | None:
    if len(_entries(params.many(PARAMETER))) <= senders.MAX_SENDER_DOMAINS:
        return None
    return Problem(
        PARAMETER, f"{PARAMETER}[] must have at most {senders.MAX_SENDER_DOMAINS} entries"
    )


def _entries(values: list[str]) -> set[str]:
    """The distinct valid entries among `values` (the invalid ones are reported apart)."""
    found: set[str] = set()
    for value in values:
        try:
            found.add(senders.sender_domain_entry(value))
        except senders.SenderDomainProblem:
            continue
    return found


SET_SENDER_DOMAINS = Declaration(
    SetSenderDomains,
    (
        user_field(),
        Field(
            PARAMETER,
            senders.SenderDomain(),
            repeatable=True,
            description=(
                "The whole list, one entry per value: `example.com` (that domain) or "
                "`*.example.com` (any name below it). One empty value: any sender."
            ),
            example="example.com",
            default=[],
        ),
    ),
    checks=(_given, _not_too_many),
)


async def set_sender_domains(
    ctx: ServiceContext, actor: Actor, command: SetSenderDomains
) -> Success:
    """Replace the list; the customer's next MAIL FROM or send call is judged by it."""
    stored = senders.joined(command.entries)

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        repository.update_profile(customer.id, {PARAMETER: stored})
        fields = {PARAMETER: list(senders.AllowedSenders.stored(stored).entries)}
        audit.record(repository, ctx, actor, "customer.sender_domains", customer.username, fields)

    await ctx.uow.run_write(change)
    return Success()


SET = Operation(
    "Set the allowed sender domains (the whole list; empty: any sender).",
    SET_SENDER_DOMAINS,
    set_sender_domains,
)
