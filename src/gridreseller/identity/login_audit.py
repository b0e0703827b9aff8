"""Login events in the audit trail: failures, refusals, successes, throttled attempts.

A failure is written in the same transaction that counts it for the throttle; each
one cost a hash, so they come no faster than the hashing threads allow. A
throttled attempt costs no hash, so a flood of them could otherwise become a flood
of writes to SQLite's single writer: they are counted in memory instead and written
as one entry per (surface, username) with its count and clients, at most once a
minute. Successful session logins are written together about once a second, so that
no SMTP or dashboard login waits for its own entry (docs/security.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from gridreseller.domain.activity import ActivityKey, Counts
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.models import Surface
from gridreseller.flush_timer import FlushTimer
from gridreseller.identity.storage import ActivityCounter, AuditLog, Transactions

log = logging.getLogger("gridreseller.audit")
NOBODY = "-"
# Past this many distinct (surface, username) keys in one interval, the rest of a
# flood is counted under one key per surface; past this many clients of one key,
# further ones are only noted ("1000+").
MAX_THROTTLED_KEYS = 10_000
MAX_CLIENTS_COUNTED = 1_000
OTHERS = "(others)"
# A batch is written in changes of this many entries: each change's statements run
# on the event loop, and a second's worth of SMTP logins in one would stall it.
ENTRIES_PER_CHANGE = 500


class LoginRecords(AuditLog, ActivityCounter, Protocol):
    """What the batches write: audit entries, sending activity."""


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


class _Batch:
    """Entries kept here and written together, at most once per interval (and at
    shutdown), in one transaction that no login waits for."""

    def __init__(
        self, uow: Transactions[LoginRecords], clock: Callable[[], datetime], interval: float
    ) -> None:
        self._uow = uow
        self._clock = clock
        # Something is pending: written once the interval has passed.
        self._timer = FlushTimer(interval, self._write_soon)
        self._writes: set[asyncio.Task[None]] = set()

    def _due(self) -> None:
        self._timer.arm()

    def _write_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self.flush())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def flush(self) -> None:
        """Write what is pending now."""
        self._timer.cancel()
        entries = self._take(self._clock())
        for start in range(0, len(entries), ENTRIES_PER_CHANGE):
            await self._write(entries[start : start + ENTRIES_PER_CHANGE])

    async def _write(self, entries: list[AuditEntry]) -> None:
        def write(records: AuditLog) -> None:
            records.add_audit_entries(entries)

        try:
            await self._uow.run_write(write)
        except Exception as error:  # noqa: BLE001 - losing a count must not fail a login
            log.warning("writing %d login entries failed: %s", len(entries), type(error).__name__)

    def _take(self, now: datetime) -> list[AuditEntry]:
        raise NotImplementedError


class ThrottledAttempts(_Batch):
    """Throttled attempts, counted per (surface, username): how many, from how many
    clients (and the first few of them), written once a minute. A botnet's flood at one
    account is one entry a minute, however many addresses it comes from."""

    def __init__(
        self,
        uow: Transactions[LoginRecords],
        clock: Callable[[], datetime],
        interval_seconds: float = 60.0,
    ) -> None:
        super().__init__(uow, clock, interval_seconds)
        self._pending: dict[tuple[Surface, str], _Tally] = {}

    async def count(
        self, surface: Surface, username: str, client: str, tenant_id: int | None
    ) -> None:
        key = (surface, username)
        if key not in self._pending and len(self._pending) >= MAX_THROTTLED_KEYS:
            key = (surface, OTHERS)
        tally = self._pending.get(key)
        if tally is None:
            tally = self._pending[key] = _Tally(tenant_id)
        tally.add(client)
        self._due()

    def _take(self, now: datetime) -> list[AuditEntry]:
        pending, self._pending = self._pending, {}
        return [
            login_entry(
                now,
                "login.throttled",
                surface,
                name,
                tally.client,
                tally.tenant_id,
                tally.details(),
            )
            for (surface, name), tally in pending.items()
        ]


class _Tally:
    """One (surface, username)'s throttled attempts in an interval."""

    SAMPLE = 5

    def __init__(self, tenant_id: int | None) -> None:
        self.tenant_id = tenant_id
        self.count = 0
        self.clients: dict[str, None] = {}
        self.more_clients = False

    def add(self, client: str) -> None:
        self.count += 1
        if client not in self.clients:
            if len(self.clients) < MAX_CLIENTS_COUNTED:
                self.clients[client] = None
            else:
                self.more_clients = True

    @property
    def client(self) -> str:
        """The client column: the one client, or the first of several."""
        return next(iter(self.clients), "-")

    def details(self) -> dict[str, object]:
        clients = len(self.clients)
        return {
            "count": self.count,
            "clients": f"{clients}+" if self.more_clients else clients,
            "sample": list(self.clients)[: self.SAMPLE],
        }


class LoginSuccesses(_Batch):
    """Logins that open a session (SMTP, the dashboard), and sent messages (the outbound
    path's `mail.sent`, and its sending activity's counts), written together about once
    a second: no login or message waits for its own entry. A process killed with
    `kill -9` loses at most the last second's entries and counts."""

    def __init__(
        self,
        uow: Transactions[LoginRecords],
        clock: Callable[[], datetime],
        interval_seconds: float = 1.0,
    ) -> None:
        super().__init__(uow, clock, interval_seconds)
        self._pending: list[AuditEntry] = []
        self._counts: dict[ActivityKey, Counts] = {}

    def add(self, entry: AuditEntry) -> None:
        self._pending.append(entry)
        self._due()

    def count(self, key: ActivityKey, counts: Counts) -> None:
        """Messages sent or refused, added to the account's day in memory until written."""
        known = self._counts.get(key)
        self._counts[key] = counts if known is None else known.plus(counts)
        self._due()

    async def flush(self) -> None:
        counts, self._counts = self._counts, {}
        await super().flush()
        if counts:
            await self._write_counts(list(counts.items()))

    async def _write_counts(self, counts: list[tuple[ActivityKey, Counts]]) -> None:
        def write(records: ActivityCounter) -> None:
            records.count_activity(counts)

        try:
            await self._uow.run_write(write)
        except Exception as error:  # noqa: BLE001 - as the entries: logged, never raised
            log.warning("writing %d activity counts failed: %s", len(counts), type(error).__name__)

    def _take(self, now: datetime) -> list[AuditEntry]:
        pending, self._pending = self._pending, []
        return pending
