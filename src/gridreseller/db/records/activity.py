"""Sending activity: one row per (account, day, surface), its counters added to by
an upsert that SQLite and PostgreSQL both run as one statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import ModuleType
from typing import cast

from sqlalchemy import Connection, Insert, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from gridreseller.db.statements import execute, execute_many
from gridreseller.db.tables import SendingActivity
from gridreseller.domain.activity import COUNTERS, ActivityKey, Counts, DayFigures

activity = cast(Table, SendingActivity.__table__)
_KEY = ["account_id", "day", "surface"]
_COLUMNS = (*ActivityKey._fields, *COUNTERS)


def _upsert(dialect: ModuleType) -> Insert:
    """Insert the row, or add its counters to the stored one. Built and compiled once
    per dialect (statements.py): it runs in the transaction that takes a credit."""
    statement = dialect.insert(activity).values({name: bindparam(name) for name in _COLUMNS})
    added = {name: activity.c[name] + statement.excluded[name] for name in COUNTERS}
    upsert: Insert = statement.on_conflict_do_update(index_elements=_KEY, set_=added)
    return upsert


UPSERTS = {"sqlite": _upsert(sqlite), "postgresql": _upsert(postgresql)}


class ActivityRecords:
    connection: Connection

    def count_activity(self, changes: Sequence[tuple[ActivityKey, Counts]]) -> None:
        """Add each change's counts to its row (made at 0 when it is the day's first)."""
        merged: dict[ActivityKey, Counts] = {}
        for key, counts in changes:  # one row changed twice in a statement: PostgreSQL refuses
            merged[key] = merged.get(key, Counts()).plus(counts)
        upsert = UPSERTS[self.connection.dialect.name]
        rows = [{**key._asdict(), **counts._asdict()} for key, counts in merged.items()]
        if len(rows) == 1:
            execute(self.connection, upsert, **rows[0])
        elif rows:
            execute_many(self.connection, upsert, rows)

    def activity_by_day(
        self,
        first: date,
        last: date,
        *,
        account_id: int | None = None,
        distributor_id: int | None = None,
    ) -> list[DayFigures]:
        """The sums per day and surface from `first` to `last`, of one account or of a
        distributor's accounts (itself included); days without sending have no row."""
        sums = [func.sum(activity.c[name]).label(name) for name in COUNTERS]
        query = (
            select(activity.c.day, activity.c.surface, *sums)
            .where(activity.c.day >= first, activity.c.day <= last)
            .group_by(activity.c.day, activity.c.surface)
            .order_by(activity.c.day, activity.c.surface)
        )
        if account_id is not None:
            query = query.where(activity.c.account_id == account_id)
        if distributor_id is not None:
            query = query.where(activity.c.distributor_id == distributor_id)
        return [
            DayFigures(row.day, row.surface, Counts(*(int(row[n]) for n in COUNTERS)))
            for row in self.connection.execute(query).mappings()
        ]
