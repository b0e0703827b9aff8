"""Engines for SQLite and PostgreSQL, tuned for durability and concurrency."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from gridreseller.config import ConfigurationError, Settings

# Connection option that write transactions set: SQLite then takes its write
# lock at BEGIN, so two writers queue on the busy timeout instead of one
# failing with "database is locked" when upgrading a read lock.
WRITE_OPTION = "gridreseller_write"


EXAMPLES = "sqlite:///path/to/file.db or postgresql://user:password@host:5432/name"
SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
POSTGRES_DRIVERS = ("postgresql", "postgres", "postgresql+psycopg")
_PASSWORD_IN_URL = re.compile(r"(//[^/:@]*:)[^@/]*@")


def normalize_url(url: str) -> str:
    """Accept `postgresql://` for psycopg 3 as docs/postgresql.md writes it."""
    parsed = parse_url(url)
    if parsed.drivername in POSTGRES_DRIVERS:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def parse_url(url: str) -> URL:
    """The URL, or ConfigurationError for one that is malformed or names another database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        masked = _PASSWORD_IN_URL.sub(r"\1***@", url)
        raise ConfigurationError(f"{masked!r} is not a database URL ({EXAMPLES})") from None
    if parsed.drivername not in SQLITE_DRIVERS + POSTGRES_DRIVERS:
        raise ConfigurationError(
            f"unsupported database URL scheme {parsed.drivername!r} ({EXAMPLES})"
        )
    return parsed


def display_url(url: str) -> str:
    """The URL for people: the password masked, a SQLite file as an absolute path, no
    driver name (`postgresql://`, as the operator writes it)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{Path(parsed.database or '').resolve()}"
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)


def is_sqlite(url: str) -> bool:
    return parse_url(url).get_backend_name() == "sqlite"


def build_engine(settings: Settings) -> Engine:
    """An engine, after the checks that turn a mistyped setting into a one-line error."""
    url = normalize_url(settings.database_url)
    if is_sqlite(url):
        check_sqlite_path(make_url(url).database)
        return _sqlite_engine(url, settings)
    if importlib.util.find_spec("psycopg") is None:
        raise ConfigurationError(
            "PostgreSQL needs its driver: pip install 'gridreseller[postgres]'"
        )
    return create_engine(
        url,
        # A connection broken by a database restart is replaced, not handed out.
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=1800,
        connect_args={"connect_timeout": settings.db_connect_timeout_seconds},
    )


def check_sqlite_path(database: str | None) -> None:
    """A file in a directory that exists and that we may write: SQLite would otherwise
    fail with "unable to open database file", and creating the directory would
    silently start a new, empty database where an old one was meant."""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ConfigurationError(f"a SQLite database URL needs a file path ({EXAMPLES})")
    path = Path(database).resolve()
    if not path.parent.is_dir():
        raise ConfigurationError(
            f"the directory {path.parent} does not exist (create it, or fix the database URL)"
        )
    if path.is_dir():
        raise ConfigurationError(f"{path} is a directory, not a SQLite database file")
    # WAL mode keeps two files beside the database (-wal, -shm): the directory must be
    # writable even when the database file exists.
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ConfigurationError(f"cannot write to the directory {path.parent}")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise ConfigurationError(f"cannot read and write the database file {path}")


def _sqlite_engine(url: str, settings: Settings) -> Engine:
    engine = create_engine(
        url,
        connect_args={
            "timeout": settings.sqlite_busy_timeout_ms / 1000,
            "check_same_thread": False,
        },
        # Up to one connection per worker thread (anyio's pool has 40), kept open:
        # connecting costs more than the query.
        pool_size=40,
        max_overflow=10,
    )
    busy_ms = int(settings.sqlite_busy_timeout_ms)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Reads issue one statement each, which SQLite runs as its own consistent
        # snapshot; only writers need an explicit transaction.
        if connection.get_execution_options().get(WRITE_OPTION, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
