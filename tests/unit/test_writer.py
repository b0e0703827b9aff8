"""SQLite's group committer on a real database file: groups, failures, the lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gridreseller.db.repository import Repository
from gridreseller.db.tables import AuditEvent
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.errors import Unavailable
from gridreseller.services.context import ServiceContext, utc_now
from tests.database import unit_of_work
from tests.support import container_for


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "writer.db"


def _context(database: Path, busy_timeout_ms: int = 30_000) -> ServiceContext:
    url = f"sqlite:///{database}"
    return container_for(url, sqlite_busy_timeout_ms=busy_timeout_ms).services


def _event(action: str, fail: bool = False) -> Callable[[Repository], str]:
    def change(repository: Repository) -> str:
        repository.add_audit_entry(
            AuditEntry.of(
                occurred_at=utc_now(),
                distributor_id=None,
                actor="t",
                client="-",
                surface="cli",
                action=action,
                target="-",
            )
        )
        if fail:
            raise ValueError(action)
        return action

    return change


def _actions(ctx: ServiceContext) -> list[str]:
    with unit_of_work(ctx).read() as repository:
        found = repository.connection.execute(select(AuditEvent.action).order_by(AuditEvent.id))
        return [row[0] for row in found]


def test_a_failing_change_is_undone_alone(database: Path) -> None:
    ctx = _context(database)

    async def three_at_once() -> list[str | BaseException]:
        changes = [_event("first"), _event("second", fail=True), _event("third")]
        writes = [unit_of_work(ctx).run_write(change) for change in changes]
        return await asyncio.gather(*writes, return_exceptions=True)

    first, second, third = asyncio.run(three_at_once())
    assert (first, third) == ("first", "third")
    assert isinstance(second, ValueError)
    assert _actions(ctx) == ["first", "third"]


def test_waits_for_a_lock_held_elsewhere_without_stalling_the_loop(database: Path) -> None:
    ctx = _context(database)
    other = sqlite3.connect(database, isolation_level=None)  # another process's writer
    other.execute("BEGIN IMMEDIATE")

    async def write_while_locked() -> tuple[str, int, float]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        ticker = asyncio.create_task(tick())
        asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
        started = time.perf_counter()
        result = await unit_of_work(ctx).run_write(_event("after the lock"))
        ticker.cancel()
        return result, ticks, time.perf_counter() - started

    result, ticks, waited = asyncio.run(write_while_locked())
    assert result == "after the lock"
    assert waited >= 0.3
    assert ticks >= 20  # the loop kept turning while the write waited
    assert _actions(ctx) == ["after the lock"]


def test_gives_up_after_the_busy_timeout_then_writes_again(database: Path) -> None:
    ctx = _context(database, busy_timeout_ms=200)
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(Unavailable):
        asyncio.run(unit_of_work(ctx).run_write(_event("refused")))
    other.execute("COMMIT")
    assert asyncio.run(unit_of_work(ctx).run_write(_event("accepted"))) == "accepted"
    assert _actions(ctx) == ["accepted"]


def test_a_broken_connection_fails_its_group_and_writing_goes_on(database: Path) -> None:
    ctx = _context(database)

    def breaks(repository: Repository) -> None:
        repository.connection.connection.dbapi_connection.close()  # type: ignore[union-attr]

    async def both() -> None:
        # Bounded waits: a group left hanging would otherwise hang the test.
        with pytest.raises(Exception, match="closed"):
            await asyncio.wait_for(unit_of_work(ctx).run_write(breaks), 10)
        written = await asyncio.wait_for(unit_of_work(ctx).run_write(_event("still writing")), 10)
        assert written == "still writing"

    asyncio.run(both())
    assert _actions(ctx) == ["still writing"]
    with unit_of_work(ctx).read() as repository:
        count = select(func.count()).select_from(AuditEvent)
        assert repository.connection.execute(count).scalar() == 1


def test_the_lock_is_free_once_committed_even_if_the_loop_has_stopped(database: Path) -> None:
    """A loop that stops while its group commits (a test's kept loop between two calls,
    a server shutting down) must not keep the write lock from every other writer of
    the process until it runs again."""
    ctx = _context(database)
    writing: list[asyncio.Future[str]] = []
    applied = threading.Event()

    def change(repository: Repository) -> str:
        applied.set()  # in the group's turn of the loop, which then hands on its COMMIT
        return _event("left")(repository)

    async def start_a_write_and_stop() -> None:
        writing.append(asyncio.ensure_future(unit_of_work(ctx).run_write(change)))
        while not applied.is_set():
            await asyncio.sleep(0)

    async def finished(write: asyncio.Future[str]) -> str:
        return await write

    with asyncio.Runner() as runner:
        runner.run(start_a_write_and_stop())
        done = threading.Event()

        def write_elsewhere() -> None:
            with unit_of_work(ctx).write() as repository:
                _event("elsewhere")(repository)
            done.set()

        threading.Thread(target=write_elsewhere, daemon=True).start()
        assert done.wait(10), "the stopped loop's group kept the write lock"
        assert runner.run(finished(writing[0])) == "left"
    assert _actions(ctx) == ["left", "elsewhere"]
