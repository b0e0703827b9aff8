"""Migration 0003 (username profile) on both databases: keys recomputed, a collision
reported with nothing changed, a refused legacy name kept working."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from alembic import command
from argon2 import PasswordHasher, Type
from sqlalchemy import Engine, String, insert, inspect, select, text, update

from gridreseller.config import Settings
from gridreseller.db.engine import build_engine
from gridreseller.db.migrate import alembic_config, upgrade
from gridreseller.db.tables import Login
from gridreseller.domain.usernames import username_key
from tests.support import serve_process

PASSWORD = "legacy-pass"
LONG_AGO = datetime(2020, 1, 1)


@pytest.fixture
def engine(fresh_database_url: str) -> Iterator[Engine]:
    """A database migrated to revision 0002, as the code before the profile left it."""
    engine = build_engine(Settings(database_url=fresh_database_url))
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    yield engine
    engine.dispose()


def insert_legacy(engine: Engine, *usernames: str) -> None:
    """Distributors keyed as revision 0002's code keyed them: lower-cased."""
    # An argon2id hash as any version stores one (the test settings' cost: no rehash).
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    password_hash = hasher.hash(PASSWORD)
    rows = [
        {
            "id": number,
            "kind": "distributor",
            "username": name,
            "username_key": name.lower(),
            "password_hash": password_hash,
            "active": True,
            "website_access": True,
            "perm_email": 0,
            "perm_web": 0,
            "perm_api": 0,
            "created_at": LONG_AGO,
            "updated_at": LONG_AGO,
        }
        for number, name in enumerate(usernames, 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Login.__table__), rows)  # type: ignore[arg-type]


def snapshot(engine: Engine) -> tuple[Any, ...]:
    """Revision, every login's id, name and key, and the key column's declared width."""
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        rows = connection.execute(
            select(Login.id, Login.username, Login.username_key).order_by(Login.id)
        ).all()
    columns = {column["name"]: column for column in inspect(engine).get_columns("logins")}
    key_type = columns["username_key"]["type"]
    assert isinstance(key_type, String)
    return version, [tuple(row) for row in rows], key_type.length


def test_a_collision_stops_the_upgrade_and_changes_nothing(engine: Engine) -> None:
    insert_legacy(
        engine,
        "STRASSE@example.com",
        "bob@example.com",
        "stra\u00dfe@example.com",
        "\u03a3\u0391\u03a3",
        "\u03c3\u03b1\u03c3",
        "Jos\u00e9",
    )
    before = snapshot(engine)
    with pytest.raises(RuntimeError) as raised:
        upgrade(engine)
    assert str(raised.value) == (
        "cannot upgrade to revision 0003 (username profile), nothing was changed: "
        "'STRASSE@example.com' (id 1) = 'straße@example.com' (id 3) are one username; "
        "rename all but one of them; "
        "'\u03a3\u0391\u03a3' (id 4) = '\u03c3\u03b1\u03c3' (id 5) are one username; "
        "rename all but one of them"
    )
    assert snapshot(engine) == before
    assert before[0] == "0002" and before[2] == 100


def test_keys_are_recomputed_and_the_column_widened(engine: Engine) -> None:
    names = ["STRASSE@example.com", "jose\u0301@example.com", "\uff2a\uff2f\uff28\uff2e", "bob"]
    names.append("\u0130" * 40)  # a key of 80 characters: the most 0002 let PostgreSQL hold
    insert_legacy(engine, *names)
    upgrade(engine)
    version, rows, width = snapshot(engine)
    assert version >= "0003"  # and whatever revisions followed it
    assert [key for _, _, key in rows] == [
        "strasse@example.com",
        "jos\u00e9@example.com",
        "john",
        "bob",
        "i\u0307" * 40,
    ]
    assert [username for _, username, _ in rows] == names
    # SQLite keeps the declared VARCHAR(100): it ignores declared lengths (see 0003).
    assert width == (100 if engine.dialect.name == "sqlite" else 300)
    long_name = "\u0130" * 100  # a key of 200 characters now fits on both databases
    with engine.begin() as connection:
        connection.execute(
            update(Login)
            .where(Login.id == 4)
            .values(username=long_name, username_key=username_key(long_name))
        )
    assert snapshot(engine)[1][3] == (4, long_name, "i\u0307" * 100)


def test_a_name_the_profile_refuses_still_logs_in(
    engine: Engine, fresh_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    insert_legacy(engine, "John Smith", "other")
    with caplog.at_level(logging.WARNING, logger="gridreseller.migrations"):
        upgrade(engine)
    assert [record.getMessage() for record in caplog.records] == [
        "login 1 keeps its username 'John Smith', which a new login could not take "
        "(username must not contain spaces); it still logs in, but consider renaming it"
    ]
    assert snapshot(engine)[1] == [(1, "John Smith", "john smith"), (2, "other", "other")]
    with serve_process(fresh_database_url) as (url, _process):
        for api_user, status in [("JOHN SMITH", 200), ("John Smith", 200), ("JohnSmith", 401)]:
            auth = {"api_user": api_user, "api_key": PASSWORD}
            response = httpx.post(f"{url}/api/distributor.packages.json", data=auth)
            assert response.status_code == status, (api_user, response.text)


def test_downgrade_restores_lower_cased_keys(engine: Engine) -> None:
    insert_legacy(engine, "STRASSE@example.com", "\uff2a\uff2f\uff28\uff2e")
    before = snapshot(engine)
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert snapshot(engine) == before
