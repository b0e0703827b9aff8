"""Sending credits: a customer's limit row, taken and given back by recipients.

A removed limit (`none`) stays as a row with `limited` false, so that the row's
`generation` goes on counting: a limit set again later is a new generation, and
credits taken under an earlier one are never given back to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gridreseller.db.statements import execute
from gridreseller.db.tables import SendingLimitRow
from gridreseller.domain.credits import Period, SendingLimit

limits = cast(Table, SendingLimitRow.__table__)
_COLUMNS = (
    limits.c.credit,
    limits.c.credit_remain,
    limits.c.last_reset,
    limits.c.period,
    limits.c.start_date,
    limits.c.end_date,
    limits.c.generation,
)
# Read on every login that may send over nginx and at every RCPT TO: a hot statement.
LIMIT_OF_CUSTOMER = select(*_COLUMNS).where(
    limits.c.customer_id == bindparam("customer_id"), limits.c.limited
)
LIMIT_OF_CUSTOMER_LOCKED = LIMIT_OF_CUSTOMER.with_for_update()


class CreditRecords:
    connection: Connection

    def sending_limit(self, customer_id: int, *, for_update: bool = False) -> SendingLimit | None:
        """The customer's limit as stored (no reset applied); locked for the rest of the
        transaction when `for_update` (PostgreSQL; SQLite's writer holds the lock)."""
        locked = for_update and self.connection.dialect.name == "postgresql"
        query = LIMIT_OF_CUSTOMER_LOCKED if locked else LIMIT_OF_CUSTOMER
        rows = execute(self.connection, query, customer_id=customer_id).rows
        if not rows:
            return None
        credit, remaining, last_reset, period, start, end, generation = rows[0]
        return SendingLimit(
            credit,
            remaining,
            last_reset,
            Period(period) if period else None,
            start,
            end,
            generation,
        )

    def set_limit(self, customer_id: int, limit: SendingLimit, now: datetime) -> None:
        """A limit set anew (total, recurring): the generation after the row's last one,
        a removed limit's included."""
        self._upsert(customer_id, limit, now, limits.c.generation + 1)

    def store_limit(self, customer_id: int, limit: SendingLimit, now: datetime) -> None:
        """The limit as read (and locked), with its remaining credits changed or a due
        reset applied (`limit.generation` says which)."""
        self._upsert(customer_id, limit, now, limit.generation)

    def _upsert(
        self, customer_id: int, limit: SendingLimit, now: datetime, generation: object
    ) -> None:
        values = {
            "customer_id": customer_id,
            "credit": limit.credit,
            "credit_remain": limit.remaining,
            "last_reset": limit.last_reset,
            "period": limit.period.value if limit.period else None,
            "start_date": limit.start,
            "end_date": limit.end,
            "updated_at": now,
            "generation": limit.generation,
            "limited": True,
        }
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(limits).values(values)
        changed: dict[str, object] = {
            name: statement.excluded[name] for name in values if name != "customer_id"
        }
        changed["generation"] = generation
        self.connection.execute(
            statement.on_conflict_do_update(index_elements=["customer_id"], set_=changed)
        )

    def remove_limit(self, customer_id: int) -> None:
        """`none`: unlimited sending; the row stays, a generation on."""
        self.connection.execute(
            update(limits)
            .where(limits.c.customer_id == customer_id, limits.c.limited)
            .values(limited=False, generation=limits.c.generation + 1)
        )

    def give_back_credits(self, customer_id: int, count: int, generation: int) -> None:
        """Credits taken for recipients that were not relayed after all, unless the
        limit was set anew, removed or reset since they were taken."""
        self.connection.execute(
            update(limits)
            .where(
                limits.c.customer_id == customer_id,
                limits.c.limited,
                limits.c.generation == generation,
            )
            .values(credit_remain=limits.c.credit_remain + count)
        )
