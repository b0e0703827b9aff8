"""Engines for SQLite and PostgreSQL, tuned for durability and concurrency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from gridreseller.config import Settings

# Connection option that write transactions set: SQLite then takes its write
# lock at BEGIN, so two writers queue on the busy timeout instead of one
# failing with "database is locked" when upgrading a read lock.
WRITE_OPTION = "gridreseller_write"


def normalize_url(url: str) -> str:
    """Accept `postgresql://` for psycopg 3 as the contract's examples write it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def build_engine(settings: Settings) -> Engine:
    url = normalize_url(settings.database_url)
    if is_sqlite(url):
        return _sqlite_engine(url, settings)
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


def _sqlite_engine(url: str, settings: Settings) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
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
