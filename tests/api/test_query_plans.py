"""Every lookup the API does is served by an index, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.sql import Executable

from gridreseller.db.records.credentials import CREDENTIALS_OF
from gridreseller.db.repository import (
    CUSTOMER_LIST_AFTER,
    CUSTOMER_LIST_FIRST,
    CUSTOMER_LIST_ONE,
    LOGIN_BY_ID,
    LOGIN_FOR_AUTH,
)
from gridreseller.services.context import ServiceContext
from tests.database import unit_of_work

PARAMS = {
    "key": "someone@example.com",
    "after": "someone@example.com",
    "distributor_id": 1,
    "account_id": 1,
    "login_id": 1,
    "batch": 500,
}
LOOKUPS: dict[str, tuple[Executable, str | tuple[str, ...]]] = {
    # SQLite names a UNIQUE constraint's index itself.
    "login by username": (LOGIN_FOR_AUTH, "username_key"),
    "login by id": (LOGIN_BY_ID, ("pk_logins", "integer primary key")),
    "customer list's first batch": (CUSTOMER_LIST_FIRST, "ix_logins_owner_kind_key"),
    "customer list's next batch": (CUSTOMER_LIST_AFTER, "ix_logins_owner_kind_key"),
    "customer list filtered by username": (CUSTOMER_LIST_ONE, "INDEX"),
    "credentials by account": (CREDENTIALS_OF, "ix_logins_owner_kind_key"),
}


def plan(connection: Connection, statement: Executable) -> str:
    compiled = statement.compile(connection)  # type: ignore[attr-defined]
    sql = str(compiled)
    values = {name: PARAMS.get(name, 0) for name in compiled.params}
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql}", tuple(values[n] for n in compiled.positiontup)
        )
        return "\n".join(str(row[-1]) for row in rows)
    # Tiny test tables make a sequential scan cheapest; forbid it to see the index path.
    connection.execute(text("SET enable_seqscan = off"))
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", values))


@pytest.mark.parametrize("lookup", list(LOOKUPS))
def test_lookup_uses_an_index(ctx: ServiceContext, lookup: str) -> None:
    statement, index = LOOKUPS[lookup]
    with unit_of_work(ctx).engine.connect() as connection:
        shown = plan(connection, statement)
    markers = (index,) if isinstance(index, str) else index
    assert any(marker.lower() in shown.lower() for marker in markers), shown
    if unit_of_work(ctx).engine.dialect.name == "sqlite":
        assert "SCAN logins" not in shown, shown
    else:
        assert "Seq Scan on logins" not in shown, shown
