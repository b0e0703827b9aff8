"""Transactions: a write commits when its block ends cleanly, and rolls back otherwise."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker

from gridreseller.db.engine import WRITE_OPTION
from gridreseller.db.repository import Repository
from gridreseller.domain.errors import Unavailable

T = TypeVar("T")


class UniqueViolation(Exception):
    """Another transaction took a unique value (a username) first."""


class UnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        # SQLite has one writer at a time. Threads of this process queue on a mutex,
        # which wakes the next one the moment the lock is free; SQLite's busy handler
        # (still what other processes wait on) sleeps in growing steps instead.
        self._writer: AbstractContextManager[object] = (
            threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @contextmanager
    def write(self) -> Iterator[Repository]:
        """A write transaction; SQLite takes its write lock at BEGIN.

        Closing the session rolls back whatever was not committed.
        """
        with self._writer, _database_errors(), self._sessions() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield Repository(session.connection(), session)
            session.commit()

    @contextmanager
    def read(self) -> Iterator[Repository]:
        """A connection without a session: reads are single statements (on SQLite,
        each its own consistent snapshot), so they need neither BEGIN nor the ORM."""
        with _database_errors(), self.engine.connect() as connection:
            repository = Repository(connection)
            try:
                yield repository
            finally:
                repository.close()

    def stream(self, produce: Callable[[Repository], Iterator[T]]) -> Iterator[T]:
        """Rows from a read transaction held open until the consumer is done."""
        with self.read() as repository:
            yield from produce(repository)


@contextmanager
def _database_errors() -> Iterator[None]:
    """Database failures in the terms of the services: a lost race, or unavailable."""
    try:
        yield
    except IntegrityError as error:
        raise UniqueViolation(str(error.orig)) from None
    except OperationalError as error:
        if _is_unavailable(error):
            raise Unavailable() from None
        raise
    except PoolTimeout:
        raise Unavailable() from None


def _is_unavailable(error: DBAPIError) -> bool:
    """Connection-level failures mean the database is down, not that the request was bad."""
    return error.connection_invalidated or "locked" in str(error.orig) or _is_connect_error(error)


def _is_connect_error(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return any(
        marker in text
        for marker in (
            "connection",
            "server closed",
            "terminating",
            "could not connect",
            "unable to open",
        )
    )
