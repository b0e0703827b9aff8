"""Migration 0008 (mixed-script usernames) on both databases: every stored name that
a new login could not take is reported, and nothing changes: it still logs in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic import command
from argon2 import PasswordHasher, Type
from sqlalchemy import Engine, insert, select

from gridreseller.config import Settings
from gridreseller.db.engine import build_engine
from gridreseller.db.migrate import alembic_config, upgrade
from gridreseller.db.tables import Login
from gridreseller.domain.access import Purpose
from gridreseller.domain.usernames import username_key
from tests.factories import CLIENT
from tests.support import container_for

PASSWORD = "legacy-pass"
LONG_AGO = datetime(2020, 1, 1)
# Stored before the rule: two mix scripts (a Greek omicron, a Cyrillic a in the domain).
NAMES = [
    "look@example.com",
    "l\u03bfok@example.com",
    "\u03bb\u03cc\u03b3\u03bf\u03c2",
    "a@ex\u0430mple.com",
]


@pytest.fixture
def engine(fresh_database_url: str) -> Iterator[Engine]:
    """A database at revision 0006, holding the logins of NAMES (as distributors)."""
    engine = build_engine(Settings(database_url=fresh_database_url))
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    rows = [
        {
            "id": number,
            "kind": "distributor",
            "username": name,
            "username_key": username_key(name),
            "password_hash": hasher.hash(PASSWORD),
            "active": True,
            "website_access": True,
            "perm_email": 0,
            "perm_web": 0,
            "perm_api": 0,
            "created_at": LONG_AGO,
            "updated_at": LONG_AGO,
        }
        for number, name in enumerate(NAMES, 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Login.__table__), rows)  # type: ignore[arg-type]
    yield engine
    engine.dispose()


def stored(engine: Engine) -> list[tuple[int, str, str]]:
    with engine.connect() as connection:
        query = select(Login.id, Login.username, Login.username_key).order_by(Login.id)
        return [(row.id, row.username, row.username_key) for row in connection.execute(query)]


def test_mixed_names_are_reported_and_kept(
    engine: Engine, fresh_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    before = stored(engine)
    with caplog.at_level(logging.WARNING, logger="gridreseller.migrations"):
        upgrade(engine)
    assert [record.getMessage() for record in caplog.records] == [
        "distributor login 2 keeps its username 'l\u03bfok@example.com', which a new login "
        "could not take (username must not mix letters of different scripts (Latin and "
        "Greek)); it still logs in, but ask its owner to rename it",
        "distributor login 4 keeps its username 'a@ex\u0430mple.com', which a new login "
        "could not take (username must not mix letters of different scripts (Latin and "
        "Cyrillic)); it still logs in, but ask its owner to rename it",
    ]
    assert stored(engine) == before
    identity = container_for(fresh_database_url).services.identity
    for typed, login_id in [("L\u039fOK@example.com", 2), ("look@example.com", 1)]:
        login = identity.authenticate(typed, PASSWORD, CLIENT, Purpose.API_DISTRIBUTOR)
        assert asyncio.run(login).login_id == login_id


def test_downgrade_changes_nothing(engine: Engine) -> None:
    before = stored(engine)
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    assert stored(engine) == before
