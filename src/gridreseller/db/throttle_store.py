"""The throttle's state in the database, so every process on it counts one budget.

The read that every login attempt makes (`facts`) is one statement of five indexed
lookups, compiled once (statements.py); everything else runs only when a login
fails, or when a success has something to clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.selectable import ScalarSelect

from gridreseller.db.statements import execute
from gridreseller.db.tables import LoginFailure, ThrottleLock, TrustedPair
from gridreseller.domain.records import LockRow, ThrottleFacts

__all__ = ["FACT_COLUMNS", "LockRow", "ThrottleFacts", "ThrottleRecords", "fact_values", "facts_of"]

_failures = cast(Table, LoginFailure.__table__)
_locks = cast(Table, ThrottleLock.__table__)
_trusted = cast(Table, TrustedPair.__table__)


def _locked_until(key: str) -> ScalarSelect[datetime]:
    return select(_locks.c.locked_until).where(_locks.c.key == bindparam(key)).scalar_subquery()


_PAIR = and_(
    _failures.c.account_key == bindparam("account"), _failures.c.address == bindparam("address")
)
# In ThrottleFacts' order; db/records/logins.py reads them in the login lookup too.
FACT_COLUMNS = (
    _locked_until("account_lock"),
    _locked_until("network_lock"),
    _locked_until("pair_lock"),
    select(_trusted.c.trusted_until)
    .where(
        _trusted.c.account_key == bindparam("account"),
        _trusted.c.address == bindparam("address"),
    )
    .scalar_subquery(),
    select(func.count()).select_from(_failures).where(_PAIR).scalar_subquery(),
)
FACTS = select(*FACT_COLUMNS)


def fact_values(account: str, address: str, keys: tuple[str, str, str]) -> dict[str, str]:
    """The bound values of FACT_COLUMNS for one attempt."""
    account_lock, network_lock, pair_lock = keys
    return {
        "account": account,
        "address": address,
        "account_lock": account_lock,
        "network_lock": network_lock,
        "pair_lock": pair_lock,
    }


def facts_of(row: Sequence[Any]) -> ThrottleFacts:
    return ThrottleFacts(row[0], row[1], row[2], row[3], int(row[4] or 0))


class ThrottleRecords:
    """Throttle rows, inside the caller's transaction (the repository's part)."""

    connection: Connection

    def throttle_facts(
        self, account: str, address: str, keys: tuple[str, str, str]
    ) -> ThrottleFacts:
        values = fact_values(account, address, keys)
        return facts_of(execute(self.connection, FACTS, **values).rows[0])

    def add_login_failure(self, account: str, address: str, network: str, now: datetime) -> None:
        self.connection.execute(
            _failures.insert().values(
                account_key=account, address=address, network=network, occurred_at=now
            )
        )

    def account_failures(self, account: str, since: datetime) -> int:
        return self._count_failures(_failures.c.account_key == account, since)

    def network_failures(self, network: str, since: datetime) -> int:
        return self._count_failures(_failures.c.network == network, since)

    def pair_failures(self, account: str, address: str, since: datetime) -> int:
        pair = and_(_failures.c.account_key == account, _failures.c.address == address)
        return self._count_failures(pair, since)

    def _count_failures(self, condition: object, since: datetime) -> int:
        query = select(func.count()).select_from(_failures)
        query = query.where(condition, _failures.c.occurred_at > since)  # type: ignore[arg-type]
        return int(self.connection.execute(query).scalar_one())

    def throttle_lock(self, key: str) -> LockRow | None:
        row = self.connection.execute(
            select(_locks.c.locks, _locks.c.locked_until).where(_locks.c.key == key)
        ).first()
        return LockRow(int(row[0]), row[1]) if row else None

    def set_throttle_lock(self, key: str, locks: int, locked_until: datetime) -> None:
        values = {"key": key, "locks": locks, "locked_until": locked_until}
        statement = _upsert(self.connection, _locks, values, ["key"])
        self.connection.execute(statement)

    def remove_throttle_lock(self, key: str) -> None:
        self.connection.execute(delete(_locks).where(_locks.c.key == key))

    def clear_pair_failures(self, account: str, address: str) -> None:
        pair = and_(_failures.c.account_key == account, _failures.c.address == address)
        self.connection.execute(delete(_failures).where(pair))

    def trust_pair(self, account: str, address: str, until: datetime) -> None:
        values = {"account_key": account, "address": address, "trusted_until": until}
        statement = _upsert(self.connection, _trusted, values, ["account_key", "address"])
        self.connection.execute(statement)

    def forget_throttle_before(self, failures_before: datetime, now: datetime) -> None:
        """Drop failures out of every window, and locks and trust that have run out."""
        self.connection.execute(delete(_failures).where(_failures.c.occurred_at < failures_before))
        self.connection.execute(delete(_locks).where(_locks.c.locked_until < failures_before))
        self.connection.execute(delete(_trusted).where(_trusted.c.trusted_until < now))


def _upsert(
    connection: Connection, table: Table, values: dict[str, object], keys: list[str]
) -> Insert:
    """INSERT ... ON CONFLICT DO UPDATE, in the dialect's own words (both have it)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(values)
    changed = {name: statement.excluded[name] for name in values if name not in keys}
    upsert: Insert = statement.on_conflict_do_update(index_elements=keys, set_=changed)
    return upsert
