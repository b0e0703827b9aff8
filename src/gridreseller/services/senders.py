"""distributor.manage method=profile task=setSenderDomains: a customer's allowed sender
domains (docs/api.md; the rule: domain/senders.py)."""

from __future__ import annotations

from typing import NamedTuple

from gridreseller.db.repository import Repository
from gridreseller.domain import senders
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Actor, Success
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.customers import live_customer

PARAMETER = "sender_domains"
TOO_MANY = f"{PARAMETER}[] must have at most {senders.MAX_SENDER_DOMAINS} entries"


class SetSenderDomains(NamedTuple):
    user: str
    sender_domains: list[str]

    @property
    def entries(self) -> list[str]:
        """The list to keep: each entry once, in the order given, empty values left out."""
        return [entry for entry in self.sender_domains if entry]


async def set_sender_domains(
    ctx: ServiceContext, actor: Actor, command: SetSenderDomains
) -> Success:
    """Replace the list; the customer's next MAIL FROM or send call is judged by it."""
    if len(set(command.entries)) > senders.MAX_SENDER_DOMAINS:
        raise Invalid([Problem(PARAMETER, TOO_MANY)])
    stored = senders.joined(command.entries)

    def change(repository: Repository) -> None:
        customer = live_customer(repository, actor, command.user)
        repository.update_profile(customer.id, {PARAMETER: stored})
        fields = {PARAMETER: list(senders.AllowedSenders.stored(stored).entries)}
        audit.record(repository, ctx, actor, "customer.sender_domains", customer.username, fields)

    await ctx.uow.run_write(change)
    return Success()
