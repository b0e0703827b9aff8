"""Sending activity (docs/dashboard.md, "Activity"): messages, recipients, credits used
and refusals per day, of one customer or of a distributor's whole account (its
customers and itself), read from the counters kept as mail is sent.

A distributor (and its credentials) sees its own customers only; a customer (and its
credentials) sees itself; the operator names whom it wants (`gridreseller stats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from gridreseller.domain.activity import Counts, DayFigures, total
from gridreseller.domain.errors import Invalid, NotFound, Problem
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.domain.rules import parse_date, username_key
from gridreseller.services.context import ServiceContext
from gridreseller.services.customers import live_customer
from gridreseller.services.storage import Records

DEFAULT_DAYS = 30
MAX_DAYS = 366


class Span(NamedTuple):
    """The days asked for, both included."""

    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(n) for n in range((self.last - self.first).days + 1)]


class ActivityQuery(NamedTuple):
    """Whose activity over which days: `user` a customer's username (else the account
    itself); `since`/`until` YYYY-MM-DD (default: the last 30 days to today)."""

    user: str = ""
    since: str = ""
    until: str = ""


@dataclass(frozen=True)
class Day:
    day: date
    total: Counts
    by_surface: dict[str, Counts] = field(default_factory=dict)


@dataclass(frozen=True)
class Activity:
    """Whose figures (a username; `whole` for a distributor's sum), per day of `span`,
    the days without sending included, and their total."""

    account: str
    whole: bool
    span: Span
    days: list[Day]

    @property
    def total(self) -> Counts:
        return total(d.total for d in self.days)

    @property
    def surfaces(self) -> list[str]:
        return sorted({s for d in self.days for s in d.by_surface})

    def as_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "whole_distributor": self.whole,
            "since": self.span.first.isoformat(),
            "until": self.span.last.isoformat(),
            "total": self.total._asdict(),
            "days": [
                {
                    "day": d.day.isoformat(),
                    **d.total._asdict(),
                    "by_surface": {s: c._asdict() for s, c in sorted(d.by_surface.items())},
                }
                for d in self.days
            ],
        }


def span_of(today: date, since: str, until: str) -> Span:
    """The days asked for; Invalid naming `since` or `until` when unusable."""
    problems: list[Problem] = []
    last = _day(until, "until", problems) or today
    first = _day(since, "since", problems) or last - timedelta(DEFAULT_DAYS - 1)
    if not problems and first > last:
        problems.append(Problem("since", "since must not be after until"))
    if not problems and (last - first).days >= MAX_DAYS:
        problems.append(Problem("since", f"since and until must be at most {MAX_DAYS} days apart"))
    if problems:
        raise Invalid(problems)
    return Span(first, last)


def _day(raw: str, name: str, problems: list[Problem]) -> date | None:
    if not raw:
        return None
    parsed = parse_date(raw)
    if parsed is None:
        problems.append(Problem(name, f"{name} must be a date as YYYY-MM-DD"))
    return parsed


async def of_actor(ctx: ServiceContext, actor: Actor, query: ActivityQuery) -> Activity:
    """A distributor's whole account, or one of its customers (`user`); a customer's own."""
    span = span_of(ctx.clock().date(), query.since, query.until)

    def read(repository: Records) -> Activity:
        if actor.account_kind is LoginKind.CUSTOMER and query.user:
            raise NotFound()  # a customer has no customers
        if query.user:
            customer = live_customer(repository, actor, query.user)
            return _of_account(repository, customer.id, customer.username, span)
        # The account's name (a credential acts for it under a name of its own).
        account = repository.login_by_id(actor.account_id)
        name = account.username if account is not None else actor.login_username
        if actor.account_kind is LoginKind.CUSTOMER:
            return _of_account(repository, actor.account_id, name, span)
        return _of_distributor(repository, actor.account_id, name, span)

    return await ctx.uow.run_read(read)


async def of_operator(
    ctx: ServiceContext, distributor: str, customer: str, since: str, until: str
) -> Activity:
    """For `gridreseller stats`: a distributor's whole account, or one of its customers."""
    span = span_of(ctx.clock().date(), since, until)

    def read(repository: Records) -> Activity:
        found = repository.distributor_named(username_key(distributor))
        if found is None:
            raise Invalid([Problem("distributor", f"no distributor named {distributor!r}")])
        if not customer:
            return _of_distributor(repository, found.id, found.username, span)
        record = repository.customer_of(found.id, username_key(customer))
        if record is None:
            message = f"{distributor} has no customer named {customer!r}"
            raise Invalid([Problem("customer", message)])
        return _of_account(repository, record.id, record.username, span)

    return await ctx.uow.run_read(read)


async def of_every_distributor(ctx: ServiceContext, since: str, until: str) -> list[Activity]:
    """For `gridreseller stats` without a name: each distributor's whole account."""
    span = span_of(ctx.clock().date(), since, until)

    def read(repository: Records) -> list[Activity]:
        found = [
            repository.distributor_named(username_key(summary.username))
            for summary in repository.distributor_summaries()
        ]
        return [_of_distributor(repository, d.id, d.username, span) for d in found if d]

    return await ctx.uow.run_read(read)


def _of_account(repository: Records, account_id: int, name: str, span: Span) -> Activity:
    rows = repository.activity_by_day(span.first, span.last, account_id=account_id)
    return Activity(name, False, span, _days(span, rows))


def _of_distributor(repository: Records, tenant_id: int, name: str, span: Span) -> Activity:
    rows = repository.activity_by_day(span.first, span.last, distributor_id=tenant_id)
    return Activity(name, True, span, _days(span, rows))


def _days(span: Span, rows: list[DayFigures]) -> list[Day]:
    by_day: dict[date, dict[str, Counts]] = {}
    for row in rows:
        by_day.setdefault(row.day, {})[row.surface] = row.counts
    return [Day(day, total(by_day.get(day, {}).values()), by_day.get(day, {})) for day in span.days]
