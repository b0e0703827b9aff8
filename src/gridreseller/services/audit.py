"""The audit trail: who changed what, from where and through which surface.

Events are written in the same transaction as the change they describe, so an
event exists exactly when its change does. Secrets never enter: a password change
is recorded as the field name only. (Login events: identity/login_audit.py.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.models import Actor
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records


@dataclass(frozen=True)
class Event:
    occurred_at: datetime
    actor: str
    client: str
    surface: str
    action: str
    target: str
    details: dict[str, object]

    def as_dict(self) -> dict[str, object]:
        return {
            "time": self.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "actor": self.actor,
            "client": self.client,
            "surface": self.surface,
            "action": self.action,
            "target": self.target,
            "fields": self.details,
        }


def record(
    repository: Records,
    ctx: ServiceContext,
    actor: Actor,
    action: str,
    target: str,
    fields: Mapping[str, object] | None = None,
) -> None:
    """Write an event in the caller's write transaction."""
    entry = AuditEntry.of(
        occurred_at=ctx.clock(),
        distributor_id=actor.tenant_id,
        actor=actor.login_username,
        client=actor.client,
        surface=actor.surface.value,
        action=action,
        target=target,
        fields=fields,
    )
    repository.add_audit_entry(entry)


def events(
    ctx: ServiceContext, distributor_id: int | None, since: datetime | None
) -> Iterator[Event]:
    with ctx.uow.read() as repository:
        for row in repository.audit_events(distributor_id, since):
            yield Event(
                occurred_at=row.occurred_at,
                actor=row.actor,
                client=row.client,
                surface=row.surface,
                action=row.action,
                target=row.target,
                details=json.loads(row.details),
            )
