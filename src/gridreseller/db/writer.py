"""SQLite writes for one event loop, committed in groups.

SQLite admits one writer at a time, and with `synchronous=FULL` every COMMIT
waits for an fsync: committed one by one, writes top out near 4,000 a second
however fast the rest is. So the changes submitted while a COMMIT is under way
wait for it, then go together: one transaction, each change in a savepoint of
its own (one that fails is undone alone and reports its own error), one COMMIT.
A change is reported done only once the COMMIT that made it durable has
returned, so each answered write is as durable as `synchronous=FULL` makes it;
concurrent writers just share an fsync.

Where each step runs matters as much. A change's statements take microseconds
and run here, on the event loop's thread. Had they run on a writer thread, that
thread would wait for the busy loop to hand back the GIL after every statement,
four times a change; measured under load, that made a change cost 280 us
instead of 40. Only the COMMIT, with its fsync, goes to a thread of its own.
BEGIN IMMEDIATE never waits on the loop: this connection has no busy timeout,
and while another process (or a thread of this one) holds the write lock, the
loop tries again on a timer, for as long as the configured busy timeout.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import OperationalError

from gridreseller.db.repository import Repository
from gridreseller.domain.errors import Unavailable

log = logging.getLogger("gridreseller.writer")

Change = Callable[[Repository], Any]
Translate = Callable[[BaseException], BaseException]
# What became of one change: (succeeded, its result or its error).
Outcome = tuple[bool, Any]
FIRST_RETRY_SECONDS = 0.0005
LONGEST_RETRY_SECONDS = 0.05


@dataclass(frozen=True)
class _Job:
    change: Change
    future: asyncio.Future[Any]


class GroupCommitter:
    def __init__(
        self,
        engine: Engine,
        mutex: threading.Lock,
        translate: Translate,
        committer: Executor,
        busy_timeout_seconds: float,
        write_options: dict[str, object],
    ) -> None:
        self._engine = engine
        # Held from BEGIN to the end of COMMIT (released by _commit's thread); the unit
        # of work's own write transactions (CLI, operator) take it too.
        self._mutex = mutex
        self._translate = translate
        self._committer = committer
        self._busy_timeout = busy_timeout_seconds
        self._write_options = write_options
        self._loop = asyncio.get_running_loop()
        self._pending: list[_Job] = []
        self._working = False  # a group is waiting for the lock, open or committing
        self._connection: Connection | None = None

    def submit(self, change: Change) -> asyncio.Future[Any]:
        """Apply `change(repository)` in the next group; its result once committed."""
        future = self._loop.create_future()
        self._pending.append(_Job(change, future))
        if not self._working:
            self._working = True
            # After this turn of the loop: the requests it handles join the group.
            self._loop.call_soon(self._start, 0.0, FIRST_RETRY_SECONDS)
        return future

    def serves(self, loop: asyncio.AbstractEventLoop) -> bool:
        return loop is self._loop

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _start(self, waited: float, retry: float) -> None:
        try:
            transaction = self._begin()
        except Exception as error:  # noqa: BLE001 - the group fails; the loop goes on
            self._fail(self._take(), self._failure(error))
            return
        if transaction is None:
            self._wait_for_lock(waited, retry)
            return
        group = self._take()
        try:
            outcomes = [self._apply(job) for job in group]
            committed = self._loop.run_in_executor(
                self._committer, _commit, transaction, self._mutex
            )
        except Exception as error:  # noqa: BLE001 - the connection broke: nothing stays
            self._abandon(transaction)
            self._fail(group, self._failure(error))
            return
        committed.add_done_callback(lambda done: self._committed(group, outcomes, done))

    def _abandon(self, transaction: RootTransaction) -> None:
        """Roll back what the group did and hand the lock back."""
        try:
            if transaction.is_active:
                transaction.rollback()
        except Exception:  # noqa: BLE001 - dropping the connection rolls back too
            log.warning("rolling back an abandoned write group failed")
        finally:
            self._disconnect()
            self._mutex.release()

    def _begin(self) -> RootTransaction | None:
        """BEGIN IMMEDIATE, or None when another writer holds the lock."""
        if not self._mutex.acquire(blocking=False):
            return None
        try:
            return self._connect().begin()
        except OperationalError as error:
            self._mutex.release()
            if _is_busy(error):
                return None
            self._disconnect()
            raise
        except BaseException:
            self._mutex.release()
            raise

    def _wait_for_lock(self, waited: float, retry: float) -> None:
        if waited >= self._busy_timeout:
            log.warning("write lock not free within %.0f s", self._busy_timeout)
            self._fail(self._take(), Unavailable())
            return
        longer = min(retry * 2, LONGEST_RETRY_SECONDS)
        self._loop.call_later(retry, self._start, waited + retry, longer)

    def _apply(self, job: _Job) -> Outcome:
        """One change in a savepoint of its own; its failure is its alone."""
        assert self._connection is not None
        driver = self._connection.connection.dbapi_connection
        assert driver is not None
        driver.execute("SAVEPOINT change")
        repository = Repository(self._connection, nested=True)
        try:
            value = job.change(repository)
            repository.finish()
        except Exception as error:  # noqa: BLE001 - delivered to the submitter
            repository.close()
            driver.execute("ROLLBACK TO change")
            driver.execute("RELEASE change")
            return False, self._translate(error)
        driver.execute("RELEASE change")
        return True, value

    def _committed(
        self, group: list[_Job], outcomes: list[Outcome], done: asyncio.Future[None]
    ) -> None:
        error = done.exception()
        if error is not None:
            self._disconnect()
            self._fail(group, self._failure(error))
        else:
            self._finish(group, outcomes)

    def _fail(self, group: list[_Job], failure: BaseException) -> None:
        """The group as a whole failed: nothing of it was written."""
        self._finish(group, [(False, failure)] * len(group))

    def _finish(self, group: list[_Job], outcomes: list[Outcome]) -> None:
        """Settle the group's futures, then start the next group if changes wait."""
        for job, (succeeded, value) in zip(group, outcomes, strict=True):
            if job.future.done():  # the waiting request was cancelled
                continue
            if succeeded:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)
        self._working = bool(self._pending)
        if self._working:
            self._loop.call_soon(self._start, 0.0, FIRST_RETRY_SECONDS)

    def _take(self) -> list[_Job]:
        group, self._pending = self._pending, []
        return group

    def _failure(self, error: BaseException) -> BaseException:
        failure = self._translate(error)
        log.warning("write group failed: %s", type(failure).__name__)
        return failure

    def _connect(self) -> Connection:
        if self._connection is None:
            connection = self._engine.connect().execution_options(**self._write_options)
            # Out of the pool for good: no other user may get a connection that does
            # not wait for the lock. Waiting is done above, on a timer.
            connection.detach()
            driver = connection.connection.dbapi_connection
            assert driver is not None
            driver.execute("PRAGMA busy_timeout=0")
            self._connection = connection
        return self._connection

    def _disconnect(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()
            except Exception:  # noqa: BLE001 - a broken connection is dropped either way
                log.warning("dropping the writer's connection failed")
            self._connection = None


def _commit(transaction: RootTransaction, mutex: threading.Lock) -> None:
    """COMMIT (the fsync); on failure nothing of the group stays. The lock is handed
    back here, in the committer's thread, not when the loop hears of it: a loop that
    is busy, or has stopped, must not keep the process's other writers waiting."""
    try:
        transaction.commit()
    except BaseException:
        if transaction.is_active:
            transaction.rollback()
        raise
    finally:
        mutex.release()


def _is_busy(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text
