"""Transactions, and where database work runs.

Services are coroutines and hand the unit of work a function of a repository:
- `run_read(look)`: on SQLite, right here on a connection this thread keeps
  (WAL readers never wait for the writer, and a lookup costs microseconds, less
  than a hop to a thread); on PostgreSQL, in a worker thread, because it is a
  network round trip.
- `run_write(change)`: on SQLite, through this event loop's group committer
  (writer.py); on PostgreSQL, in a worker thread, in a transaction of its own.

Threads (the CLI, the operator's services, tests) use the `read()` and
`write()` context managers: a write commits when its block ends cleanly and
rolls back otherwise.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker

from gridreseller.db import backup
from gridreseller.db.engine import WRITE_OPTION
from gridreseller.db.repository import Repository
from gridreseller.db.writer import GroupCommitter
from gridreseller.domain.errors import Unavailable
from gridreseller.domain.records import BackupCopy

T = TypeVar("T")


class UnitOfWork:
    def __init__(
        self, engine: Engine, executor: Executor, busy_timeout_seconds: float = 30.0
    ) -> None:
        self.engine = engine
        self._executor = executor
        self._busy_timeout = busy_timeout_seconds
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._dbapi: Any = engine.dialect.loaded_dbapi
        self._sqlite = engine.dialect.name == "sqlite"
        # SQLite has one writer at a time: in this process, whoever holds the mutex.
        # Threads queue on it, woken the moment it is free (SQLite's busy handler,
        # still what other processes wait on, sleeps in growing steps instead); an
        # event loop's committer only tries it, and tries again on a timer.
        self._mutex = threading.Lock()
        # COMMITs (fsyncs) on a thread of their own, never behind an argon2 hash.
        self._committer = ThreadPoolExecutor(1, thread_name_prefix="gridreseller-commit")
        # Per thread (so per event loop): a connection kept for reads, a group committer.
        self._kept = threading.local()

    # Coroutines ---------------------------------------------------------------

    async def run_read(self, look: Callable[[Repository], T]) -> T:
        if self._sqlite:
            return self._read_on_kept_connection(look)
        return await self._in_thread(self._read_pooled, look)

    async def run_write(self, change: Callable[[Repository], T]) -> T:
        if self._sqlite:
            result: T = await self._group_committer().submit(change)
            return result
        return await self._in_thread(self._write_pooled, change)

    # Context managers for threads ---------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Repository]:
        """A write transaction; SQLite takes its write lock at BEGIN.

        Closing the session rolls back whatever was not committed.
        """
        mutex: AbstractContextManager[object] = self._mutex if self._sqlite else nullcontext()
        with mutex, self._database_errors(), self._sessions() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield Repository(session.connection(), session)
            session.commit()

    @contextmanager
    def read(self) -> Iterator[Repository]:
        """A connection without a session: reads are single statements (on SQLite,
        each its own consistent snapshot), so they need neither BEGIN nor the ORM."""
        with self._database_errors(), self.engine.connect() as connection:
            repository = Repository(connection)
            try:
                yield repository
            finally:
                repository.close()

    def release_thread_connections(self) -> None:
        """This thread's kept connections back: its event loop is done with them."""
        connection: Connection | None = getattr(self._kept, "connection", None)
        committer: GroupCommitter | None = getattr(self._kept, "committer", None)
        self._kept.connection = self._kept.committer = None
        if connection is not None:
            connection.close()
        if committer is not None:
            committer.close()

    # Copies of the whole database (the operator's `backup`) ----------------------

    def pg_dump_url(self) -> str | None:
        """On PostgreSQL, the URL pg_dump takes (no password); None on SQLite."""
        return backup.pg_dump_url(self.engine)

    def copy_sqlite(self, target: Path) -> BackupCopy:
        """A consistent copy of a SQLite database, in use or not, to a new file."""
        return backup.copy_sqlite(self.engine, target, self._busy_timeout)

    # Database errors in the services' terms -------------------------------------

    def translate(self, error: BaseException) -> BaseException:
        """An unavailable database, or the error itself. (A taken username is the
        repository's to name: db/records/logins.py.)"""
        if isinstance(error, PoolTimeout):
            return Unavailable()
        original = error.orig if isinstance(error, DBAPIError) else error
        invalidated = isinstance(error, DBAPIError) and error.connection_invalidated
        if isinstance(original, self._dbapi.OperationalError) and (
            invalidated or _means_unavailable(original)
        ):
            return Unavailable()
        return error

    @contextmanager
    def _database_errors(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:  # noqa: BLE001 - always raised again, translated
            self._raise_translated(error)

    def _raise_translated(self, error: Exception) -> NoReturn:
        translated = self.translate(error)
        if translated is error:
            raise error
        raise translated from None

    # Where the work runs --------------------------------------------------------

    def _read_on_kept_connection(self, look: Callable[[Repository], T]) -> T:
        connection = self._kept_connection()
        repository = Repository(connection)
        try:
            return look(repository)
        except Exception as error:  # noqa: BLE001 - always raised again, translated
            self._raise_translated(error)
        finally:
            repository.close()
            if connection.in_transaction():
                connection.rollback()

    def _kept_connection(self) -> Connection:
        connection: Connection | None = getattr(self._kept, "connection", None)
        if connection is None or connection.closed:
            connection = self._kept.connection = self.engine.connect()
        return connection

    def _group_committer(self) -> GroupCommitter:
        """This event loop's committer (a thread may run one loop after another)."""
        committer: GroupCommitter | None = getattr(self._kept, "committer", None)
        if committer is None or not committer.serves(asyncio.get_running_loop()):
            if committer is not None:
                committer.close()
            committer = self._kept.committer = GroupCommitter(
                self.engine,
                self._mutex,
                self.translate,
                self._committer,
                self._busy_timeout,
                {WRITE_OPTION: True},
            )
        return committer

    def _read_pooled(self, look: Callable[[Repository], T]) -> T:
        with self.read() as repository:
            return look(repository)

    def _write_pooled(self, change: Callable[[Repository], T]) -> T:
        with self.write() as repository:
            return change(repository)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)


def _means_unavailable(error: BaseException) -> bool:
    """Connection-level failures mean the database is down, not that the request was bad."""
    text = str(error).lower()
    return any(
        marker in text
        for marker in (
            "locked",
            "connection",
            "server closed",
            "terminating",
            "could not connect",
            "unable to open",
        )
    )
