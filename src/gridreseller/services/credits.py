"""Sending credits (docs/api.md, sending credits): `distributor.manage method=limit`, and their
use where mail is sent.

Every recipient of a relayed message costs its customer one credit (the customer's
credentials share them). `take` spends one in a write transaction of its own, with
the limit's row locked, so concurrent sessions in any number of processes never send
more than the credits allow; `give_back` returns the ones whose recipients were not
relayed after all, to the generation of the limit they were taken from only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from gridreseller.domain.activity import ActivityKey, Counted, Counts
from gridreseller.domain.credits import Period, SendingLimit
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Actor, CreditsView, LoginKind, Success
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.customers import live_customer
from gridreseller.services.storage import Records

NO_LIMIT = "user has no sending limit"
# Without a startdate, enddate is judged against today (the default start).
END_BEFORE_START = "enddate must not be before startdate"


class OfCustomer(NamedTuple):
    user: str


class SetTotal(NamedTuple):
    user: str
    credits: int


class Adjust(NamedTuple):
    user: str
    credits: int


class SetRecurring(NamedTuple):
    user: str
    credits: int
    period: str
    startdate: date | None
    enddate: date | None
    initial_credits: int | None


async def retrieve(ctx: ServiceContext, actor: Actor, command: OfCustomer) -> CreditsView:
    """The customer's limit as of today (a due reset shown, not yet written)."""

    def look(repository: Records) -> SendingLimit | None:
        customer = live_customer(repository, actor, command.user)
        return repository.sending_limit(customer.id)

    limit = await ctx.uow.run_read(look)
    return CreditsView(limit.as_of(ctx.clock().date()) if limit else None)


async def remove(ctx: ServiceContext, actor: Actor, command: OfCustomer) -> Success:
    """none: unlimited sending again (a customer without a limit: a success too)."""

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        repository.remove_limit(customer.id)
        audit.record(repository, ctx, actor, "customer.limit", customer.username, {"task": "none"})

    await ctx.uow.run_write(change)
    return Success()


async def set_total(ctx: ServiceContext, actor: Actor, command: SetTotal) -> Success:
    today = ctx.clock().date()
    limit = SendingLimit(command.credits, command.credits, today)
    await _store(ctx, actor, command.user, limit, {"task": "total", "credits": command.credits})
    return Success()


async def set_recurring(ctx: ServiceContext, actor: Actor, command: SetRecurring) -> Success:
    """Remaining credits set at once (to initial_credits, else credits), even when the
    start lies ahead; reset to credits at each period boundary after the start."""
    today = ctx.clock().date()
    if command.enddate is not None and command.enddate < (command.startdate or today):
        raise Invalid([Problem("enddate", END_BEFORE_START)])
    limit = SendingLimit(
        credit=command.credits,
        remaining=command.initial_credits or command.credits,
        last_reset=today,
        period=Period(command.period),
        start=command.startdate or today,
        end=command.enddate,
    )
    fields: dict[str, object] = {
        "task": "recurring",
        "credits": command.credits,
        "period": command.period,
        "startdate": limit.start.isoformat() if limit.start else None,
        "enddate": command.enddate.isoformat() if command.enddate else None,
        "initial_credits": command.initial_credits,
    }
    await _store(ctx, actor, command.user, limit, fields)
    return Success()


async def increment(ctx: ServiceContext, actor: Actor, command: Adjust) -> Success:
    """increment: credit_remain + credits; credit and last_reset unchanged."""
    return await _adjust(ctx, actor, command, "increment", +1)


async def decrement(ctx: ServiceContext, actor: Actor, command: Adjust) -> Success:
    """decrement: credit_remain - credits, never below 0."""
    return await _adjust(ctx, actor, command, "decrement", -1)


async def _adjust(
    ctx: ServiceContext, actor: Actor, command: Adjust, task: str, sign: int
) -> Success:
    """credit_remain ± credits, never below 0; credit and last_reset unchanged."""
    today = ctx.clock().date()

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        stored = repository.sending_limit(customer.id, for_update=True)
        if stored is None:
            raise Invalid([Problem("user", NO_LIMIT)])
        limit = stored.as_of(today)
        remaining = max(0, limit.remaining + sign * command.credits)
        repository.store_limit(customer.id, replace(limit, remaining=remaining), ctx.clock())
        fields = {"task": task, "credits": command.credits}
        audit.record(repository, ctx, actor, "customer.limit", customer.username, fields)

    await ctx.uow.run_write(change)
    return Success()


async def _store(
    ctx: ServiceContext, actor: Actor, user: str, limit: SendingLimit, fields: dict[str, object]
) -> None:
    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, user)
        repository.set_limit(customer.id, limit, ctx.clock())
        audit.record(repository, ctx, actor, "customer.limit", customer.username, fields)

    await ctx.uow.run_write(change)


# Where mail is sent ----------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """Credits spent for `count` recipients, from one generation of the customer's
    limit (None when the customer had no limit, and nothing was spent); `counted`: the
    activity row they were counted in (given back there too)."""

    customer_id: int
    count: int
    generation: int | None
    counted: ActivityKey | None = None


async def take(
    ctx: ServiceContext, customer_id: int, count: int, counted: Counted | None = None
) -> Taken | None:
    """Credits for `count` recipients, all or none (None when they are not covered),
    in a write transaction with the limit's row locked; a customer without a limit
    spends none. Callers read `sending_limit` first: a customer without one (the
    default) needs no write at all. With `counted`, the credits used or the recipients
    refused are added to the customer's activity row of today in the same transaction."""
    today = ctx.clock().date()
    row = (
        ActivityKey(customer_id, counted.distributor_id, today, counted.surface)
        if counted
        else None
    )

    def spend(repository: Records) -> Taken | None:
        stored = repository.sending_limit(customer_id, for_update=True)
        if stored is None:
            return Taken(customer_id, count, None)  # removed meanwhile: unlimited
        limit = stored.as_of(today)
        if limit.remaining < count:
            if limit != stored:
                repository.store_limit(customer_id, limit, ctx.clock())
            if row is not None:
                repository.count_activity([(row, Counts(recipients_refused=count))])
            return None
        repository.store_limit(
            customer_id, replace(limit, remaining=limit.remaining - count), ctx.clock()
        )
        if row is not None:
            repository.count_activity([(row, Counts(credits_used=count))])
        return Taken(customer_id, count, limit.generation, row)

    return await ctx.uow.run_write(spend)


async def give_back(ctx: ServiceContext, taken: Sequence[Taken]) -> None:
    """Credits of recipients that were not relayed after all (RSET, QUIT, the upstream
    refusing or unreachable), unless the limit was set anew or reset since."""
    spent = [t for t in taken if t.generation is not None and t.count > 0]
    if not spent:
        return

    def refund(repository: Records) -> None:
        for ticket in spent:
            assert ticket.generation is not None
            repository.give_back_credits(ticket.customer_id, ticket.count, ticket.generation)
        # To the day they were taken on, whatever the limit did since: they were not used.
        repository.count_activity(
            [(t.counted, Counts(credits_used=-t.count)) for t in spent if t.counted is not None]
        )

    await ctx.uow.run_write(refund)


async def own_credits(ctx: ServiceContext, actor: Actor) -> CreditsView:
    """The sending limit of the customer an account acts for (none for a distributor)."""
    if actor.account_kind is not LoginKind.CUSTOMER:
        return CreditsView(None)
    limit = await ctx.uow.run_read(lambda r: r.sending_limit(actor.account_id))
    return CreditsView(limit.as_of(ctx.clock().date()) if limit else None)


async def has_credit(ctx: ServiceContext, customer_id: int) -> bool:
    """Whether a customer may send one more recipient (the nginx path's check at login)."""
    limit = await ctx.uow.run_read(lambda r: r.sending_limit(customer_id))
    return limit is None or limit.as_of(ctx.clock().date()).remaining > 0
