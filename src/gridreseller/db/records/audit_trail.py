"""The audit trail as a page: one tenant's entries, newest first, filtered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, or_, select

from gridreseller.db.records.audit import AUDIT_ENTRIES
from gridreseller.db.records.tables import audit_events, logins
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.models import LoginKind


class AuditTrailRecords:
    connection: Connection

    def audit_page(
        self,
        distributor_id: int,
        *,
        names: Sequence[str] | None,
        action: str,
        actor: str,
        start: datetime | None,
        end: datetime | None,
        offset: int,
        limit: int,
    ) -> list[AuditEntry]:
        """Entries of the tenant (only those made by or about `names` when given): an
        action starting with `action`, made by `actor`, from `start` to before `end`."""
        events = audit_events.c
        query = AUDIT_ENTRIES.where(events.distributor_id == distributor_id)
        if names is not None:
            query = query.where(or_(events.actor.in_(names), events.target.in_(names)))
        if action:
            query = query.where(events.action.startswith(action, autoescape=True))
        if actor:
            query = query.where(events.actor == actor)
        if start is not None:
            query = query.where(events.occurred_at >= start)
        if end is not None:
            query = query.where(events.occurred_at < end)
        query = query.order_by(events.occurred_at.desc(), events.id.desc())
        rows = self.connection.execute(query.offset(offset).limit(limit))
        return [AuditEntry._make(row) for row in rows]

    def account_names(self, account_id: int) -> list[str]:
        """An account's username and its credentials' (who acts for it in the trail)."""
        query = select(logins.c.username).where(
            or_(
                logins.c.id == account_id,
                (logins.c.owner_id == account_id) & (logins.c.kind == LoginKind.CREDENTIAL.value),
            )
        )
        return list(self.connection.execute(query).scalars())
