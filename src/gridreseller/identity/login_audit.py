"""Login events in the audit trail: failures, refusals, successes, throttled attempts.

A failure is written in the same transaction that counts it for the throttle; each
one cost a hash, so they come no faster than the hashing threads allow. A
throttled attempt costs no hash, so a flood of them could otherwise become a flood
of writes to SQLite's single writer: they are counted in memory instead and written
as one entry per (surface, username, client) with its count, at most once per
interval (docs/security.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from gridreseller.db.repository import Repository
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.models import Surface

log = logging.getLogger("gridreseller.audit")
NOBODY = "-"
# Past this many distinct (surface, username, client) keys in one interval, the rest
# of a flood is counted under one key per surface.
MAX_THROTTLED_KEYS = 10_000
OTHERS = "(others)"


def login_entry(
    now: datetime,
    action: str,
    surface: Surface,
    username: str,
    client: str,
    tenant_id: int | None,
    fields: dict[str, object] | None = None,
) -> AuditEntry:
    return AuditEntry.of(
        occurred_at=now,
        distributor_id=tenant_id,
        actor=NOBODY,
        client=client,
        surface=surface.value,
        action=action,
        target=username,
        fields=fields,
    )


class ThrottledAttempts:
    """Throttled attempts, counted here and written in batches."""

    def __init__(
        self, uow: UnitOfWork, clock: Callable[[], datetime], interval_seconds: float = 60.0
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._interval = timedelta(seconds=interval_seconds)
        self._pending: dict[tuple[Surface, str, str], tuple[int, int | None]] = {}
        self._flushed_at = datetime.min
        self._timer: asyncio.TimerHandle | None = None

    async def count(
        self, surface: Surface, username: str, client: str, tenant_id: int | None
    ) -> None:
        key = (surface, username, client)
        if key not in self._pending and len(self._pending) >= MAX_THROTTLED_KEYS:
            key = (surface, OTHERS, OTHERS)
        seen, _ = self._pending.get(key, (0, None))
        self._pending[key] = (seen + 1, tenant_id)
        if self._clock() - self._flushed_at >= self._interval:
            await self.flush()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            delay = self._interval.total_seconds()
            self._timer = loop.call_later(delay, lambda: loop.create_task(self.flush()))

    async def flush(self) -> None:
        """Write what has been counted: one entry per key, in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, {}
        now = self._flushed_at = self._clock()
        if not pending:
            return
        entries = [
            login_entry(now, "login.throttled", surface, name, client, tenant, {"count": count})
            for (surface, name, client), (count, tenant) in pending.items()
        ]

        def write(repository: Repository) -> None:
            repository.add_audit_entries(entries)

        try:
            await self._uow.run_write(write)
        except Exception as error:  # noqa: BLE001 - losing a count must not fail a login
            log.warning(
                "writing %d throttled-login entries failed: %s", len(entries), type(error).__name__
            )
