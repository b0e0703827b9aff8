"""`gridreseller backup`: a consistent copy of a SQLite database while it is in use.

SQLite's online backup API copies every page in one step under one read
transaction: in WAL mode writers go on meanwhile, and the copy is the database as
of that transaction's start. (Copied in several steps, a write by another process
would restart the copy, which under steady writes might never finish.)
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from gridreseller.domain.errors import Invalid
from gridreseller.domain.records import BackupCopy

__all__ = ["BackupCopy", "copy_sqlite", "pg_dump_url"]


def pg_dump_url(engine: Engine) -> str | None:
    """The database's URL as pg_dump takes it (no password), on PostgreSQL; else None."""
    if engine.dialect.name == "sqlite":
        return None
    url = engine.url.set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False)


def copy_sqlite(engine: Engine, target: Path, busy_timeout_seconds: float) -> BackupCopy:
    """Copy to a new file `target`, checked and synced before it gets its name."""
    source_path = engine.url.database
    assert source_path, "engine.py accepts SQLite URLs with a file only"
    target = target.resolve()
    if target.exists():
        raise Invalid([f"--to: {target} exists (the backup goes to a new file)"])
    if not target.parent.is_dir():
        raise Invalid([f"--to: the directory {target.parent} does not exist"])
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        pages = _copy(source_path, partial, busy_timeout_seconds)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return BackupCopy(target, pages)


def _copy(source_path: str, partial: Path, busy_timeout_seconds: float) -> int:
    source = sqlite3.connect(source_path, timeout=busy_timeout_seconds)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=-1)
            # One self-contained file: `serve` turns WAL on again when it opens it.
            copy.execute("PRAGMA journal_mode=DELETE")
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise Invalid([f"the copy failed its check: {verdict}"])
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        finally:
            copy.close()
    finally:
        source.close()
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    return pages
