"""Migration 0005 builds the dashboard's tables exactly as db/tables.py declares them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from gridreseller.bootstrap import Container
from gridreseller.db.tables import Base

DASHBOARD_TABLES = {"dashboard_sessions", "dashboard_keys"}


def _ours(item: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    """Compare only the dashboard's tables and what is in them."""
    if type_ == "table":
        return name in DASHBOARD_TABLES
    table = getattr(item, "table", None)
    return getattr(table, "name", None) in DASHBOARD_TABLES


def test_migrated_dashboard_tables_match_the_metadata(container: Container) -> None:
    with container.uow.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= DASHBOARD_TABLES
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _ours}
        )
        assert compare_metadata(context, Base.metadata) == []
