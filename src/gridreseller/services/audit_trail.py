"""The audit trail as the dashboard shows it (docs/dashboard.md, "Audit"): a
distributor's whole tenant, or what a customer and its credentials did and what was
done to the customer; newest first, filtered by action, actor and days, in pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import NamedTuple

from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.services.activity import span_of
from gridreseller.services.audit import Event
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records

PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_FILTER_LENGTH = 100


class AuditQuery(NamedTuple):
    """`action`: what an action starts with (`mail.`, `customer.limit`); `actor`: a
    username, exactly; `since`/`until`: YYYY-MM-DD (default the last 30 days); `page`
    from 1."""

    action: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""
    page: str = ""


@dataclass(frozen=True)
class AuditPage:
    events: list[Event]
    page: int
    more: bool


async def trail(ctx: ServiceContext, actor: Actor, query: AuditQuery) -> AuditPage:
    span = span_of(ctx.clock().date(), query.since, query.until)
    page = _page(query.page)
    problems = [
        Problem(name, f"{name} must be at most {MAX_FILTER_LENGTH} characters")
        for name, value in (("action", query.action), ("actor", query.actor))
        if len(value) > MAX_FILTER_LENGTH
    ]
    if problems:
        raise Invalid(problems)
    tenant = actor.tenant_id if actor.tenant_id is not None else actor.account_id

    def read(repository: Records) -> AuditPage:
        names = None
        if actor.account_kind is LoginKind.CUSTOMER:
            names = repository.account_names(actor.account_id)
        rows = repository.audit_page(
            tenant,
            names=names,
            action=query.action.strip(),
            actor=query.actor.strip(),
            start=datetime.combine(span.first, time()),
            end=datetime.combine(span.last + timedelta(1), time()),
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE + 1,
        )
        events = [_event(row) for row in rows[:PAGE_SIZE]]
        return AuditPage(events, page, len(rows) > PAGE_SIZE)

    return await ctx.uow.run_read(read)


def _page(raw: str) -> int:
    if not raw:
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Invalid([Problem("page", f"page must be a whole number from 1 to {MAX_PAGE}")])
    return int(raw)


def _event(row: AuditEntry) -> Event:
    return Event(
        occurred_at=row.occurred_at,
        actor=row.actor,
        client=row.client,
        surface=row.surface,
        action=row.action,
        target=row.target,
        details=json.loads(row.details),
    )
