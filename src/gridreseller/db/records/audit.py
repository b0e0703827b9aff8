"""The audit trail's rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from gridreseller.db.records.tables import audit_events
from gridreseller.db.statements import execute, execute_many
from gridreseller.domain.audit import AuditEntry

AUDIT_INSERT = insert(audit_events).values({name: bindparam(name) for name in AuditEntry._fields})
# The entries as stored, in AuditEntry's order.
AUDIT_ENTRIES = select(*(audit_events.c[name] for name in AuditEntry._fields))


class AuditRecords:
    connection: Connection

    def add_audit_entry(self, entry: AuditEntry) -> None:
        execute(self.connection, AUDIT_INSERT, **entry._asdict())

    def add_audit_entries(self, entries: list[AuditEntry]) -> None:
        if entries:
            execute_many(self.connection, AUDIT_INSERT, [entry._asdict() for entry in entries])

    def audit_events(self, distributor_id: int | None, since: datetime | None) -> list[AuditEntry]:
        query = AUDIT_ENTRIES.order_by(audit_events.c.occurred_at, audit_events.c.id)
        if distributor_id is not None:
            query = query.where(audit_events.c.distributor_id == distributor_id)
        if since is not None:
            query = query.where(audit_events.c.occurred_at >= since)
        return [AuditEntry._make(row) for row in self.connection.execute(query)]
