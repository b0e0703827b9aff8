"""The audit trail: who changed what, from where; failed and throttled logins.

Events are written in the same transaction as the change they describe, so an
event exists exactly when its change does. Secrets never enter: a password change
is recorded as the field name only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from gridreseller.db.repository import Repository
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.domain.rules import ILLEGAL
from gridreseller.services.context import ServiceContext

SECRET_FIELDS = frozenset({"password", "confirm_password", "api_key"})
CHANGED = "(changed)"


@dataclass(frozen=True)
class Event:
    occurred_at: datetime
    actor: str
    client: str
    action: str
    target: str
    details: dict[str, object]

    def as_dict(self) -> dict[str, object]:
        return {
            "time": self.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "actor": self.actor,
            "client": self.client,
            "action": self.action,
            "target": self.target,
            "fields": self.details,
        }


def record(
    repository: Repository,
    ctx: ServiceContext,
    actor: Actor,
    action: str,
    target: str,
    fields: Mapping[str, object] | None = None,
) -> None:
    """Write an event in the caller's write transaction."""
    repository.add_audit_event(
        occurred_at=ctx.clock(),
        distributor_id=actor.tenant_id,
        actor=printable(actor.login_username)[:100],
        client=printable(actor.client)[:64],
        action=action,
        target=printable(target)[:100],
        details=_details(fields or {}),
    )


async def record_login_failure(
    ctx: ServiceContext, action: str, username: str, client: str, tenant_id: int | None
) -> None:
    """A failed or throttled login, in a transaction of its own."""
    nobody = Actor(
        account_id=0,
        account_kind=LoginKind.CUSTOMER,
        login_username="-",
        client=client,
        tenant_id=tenant_id,
    )
    await ctx.uow.run_write(lambda repository: record(repository, ctx, nobody, action, username))


def events(
    ctx: ServiceContext, distributor_id: int | None, since: datetime | None
) -> Iterator[Event]:
    with ctx.uow.read() as repository:
        for row in repository.audit_events(distributor_id, since):
            yield Event(
                occurred_at=row.occurred_at,
                actor=row.actor,
                client=row.client,
                action=row.action,
                target=row.target,
                details=json.loads(row.details),
            )


def printable(text: str) -> str:
    """Control and XML-illegal characters as \\xNN escapes: a failed login's username
    is raw client input, and PostgreSQL refuses NUL in any string."""
    return ILLEGAL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


def _details(fields: Mapping[str, object]) -> str:
    clean = {
        name: CHANGED if name in SECRET_FIELDS else _plain(value) for name, value in fields.items()
    }
    return json.dumps(clean, ensure_ascii=False, sort_keys=True)


def _plain(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)
