"""Login events that are written in batches: a throttled flood becomes one entry per
(surface, username) a minute, however many clients it comes from; successes of
session logins are written together."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from gridreseller.bootstrap import Container
from gridreseller.domain.models import Surface
from gridreseller.identity.login_audit import (
    ENTRIES_PER_CHANGE,
    LoginSuccesses,
    ThrottledAttempts,
    login_entry,
)
from gridreseller.services import audit
from tests.support import Clock, container_for

NOW = datetime(2026, 4, 1, 8, 0, 0)


def container(tmp_path: Path) -> Container:
    return container_for(f"sqlite:///{tmp_path / 'audit.db'}", Clock(NOW))


def test_a_botnets_flood_at_one_account_is_one_entry(tmp_path: Path) -> None:
    built = container(tmp_path)
    batch = ThrottledAttempts(built.uow, built.services.clock)

    async def flood() -> None:
        for n in range(5000):
            await batch.count(Surface.SMTP, "victim", f"198.51.{n // 250}.{n % 250}", None)
        await batch.count(Surface.API, "victim", "192.0.2.1", None)
        assert list(audit.events(built.services, None, None)) == []  # nothing written yet
        await batch.flush()

    asyncio.run(flood())
    entries = list(audit.events(built.services, None, None))
    assert [(e.action, e.surface, e.target) for e in entries] == [
        ("login.throttled", "smtp", "victim"),
        ("login.throttled", "api", "victim"),
    ]
    smtp = entries[0].details
    assert (smtp["count"], smtp["clients"]) == (5000, "1000+")
    assert smtp["sample"] == [f"198.51.0.{n}" for n in range(5)]
    assert entries[0].client == "198.51.0.0"
    assert entries[1].details == {"count": 1, "clients": 1, "sample": ["192.0.2.1"]}


def test_successes_are_written_together_and_in_time(tmp_path: Path) -> None:
    built = container(tmp_path)
    batch = LoginSuccesses(built.uow, built.services.clock, interval_seconds=0.2)

    async def logins() -> None:
        for n in range(3):
            batch.add(login_entry(NOW, "login.succeeded", Surface.SMTP, f"u{n}", "::1", None))
        assert list(audit.events(built.services, None, None)) == []
        await asyncio.sleep(0.5)  # the batch's timer writes them

    asyncio.run(logins())
    entries = list(audit.events(built.services, None, None))
    assert [e.target for e in entries] == ["u0", "u1", "u2"]


def test_a_large_batch_is_written_whole_in_order(tmp_path: Path) -> None:
    built = container(tmp_path)
    batch = LoginSuccesses(built.uow, built.services.clock)
    count = ENTRIES_PER_CHANGE * 2 + 7

    async def logins() -> None:
        for n in range(count):
            batch.add(login_entry(NOW, "login.succeeded", Surface.SMTP, f"u{n}", "::1", None))
        await batch.flush()

    asyncio.run(logins())
    entries = list(audit.events(built.services, None, None))
    assert [e.target for e in entries] == [f"u{n}" for n in range(count)]
