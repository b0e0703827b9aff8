"""The dashboard's customer list: a substring search, a chosen order, a count and a page.

The search looks for the text anywhere in the username, the contact email and the
company, in any case. On PostgreSQL it is ILIKE, column by column, the matches united
by id, so that each column's trigram index (migration 0009) serves its part (an OR
across the two tables could use none). On SQLite it is one pass of LIKE (which
ignores the case of ASCII letters) over the distributor's customers: tens of
milliseconds for 100,000.

A page is found in two steps: the ids of the page, sorted and sliced by the database
(narrow rows, from no more tables than the sort and the search need), then the
list rows of those 50 ids. The number found comes with the ids for a search (which
reads every match anyway), from its own count otherwise (along the owner index).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, bindparam, collate, func, or_, select

from gridreseller.db.records.customers import CUSTOMER_LIST
from gridreseller.db.records.tables import logins, packages, profiles
from gridreseller.db.statements import DriverRow
from gridreseller.domain.models import LoginKind
from gridreseller.domain.records import SORTABLE, CustomerSearch

LIKE_ESCAPE = "\\"
# What each sortable column sorts by, in any case; rows that tie are in id order (the
# order they were added), so paging never shows a row twice or skips one.
SORT_COLUMNS: Mapping[str, tuple[ColumnElement[str], ...]] = {
    "username": (logins.c.username_key,),  # already case-folded
    "email": (logins.c.email,),
    "name": (profiles.c.last_name, profiles.c.first_name),
    "company": (profiles.c.company,),
    "package": (packages.c.name,),
}
assert tuple(SORT_COLUMNS) == SORTABLE, "domain/records.py names what sorts, in order"
LIVE_CUSTOMERS_OF = (
    logins.c.owner_id == bindparam("distributor_id"),
    logins.c.kind == LoginKind.CUSTOMER.value,
    logins.c.deleted_at.is_(None),
)
_WITH_PROFILES = logins.join(profiles, profiles.c.login_id == logins.c.id)
_WITH_PACKAGES = _WITH_PROFILES.join(packages, packages.c.id == profiles.c.package_id)
# The list's columns (CUSTOMER_FIELDS order, then the username's key), then the id.
_ROWS = CUSTOMER_LIST.order_by(None).add_columns(logins.c.id)
S = TypeVar("S", bound=Select[Any])


def like_pattern(text: str) -> str:
    """`%text%`, with the user's own `%`, `_` and escape character matching themselves."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
    escaped = escaped.replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


class CustomerSearchRecords:
    connection: Connection

    def count_customers(self, distributor_id: int, search: CustomerSearch) -> int:
        """How many live customers of this distributor the search finds."""
        query = select(func.count()).select_from(self._searched_from(search))
        query = self._narrowed(query.where(*LIVE_CUSTOMERS_OF), search)
        return int(self.connection.execute(query, {"distributor_id": distributor_id}).scalar_one())

    def search_customers(
        self, distributor_id: int, search: CustomerSearch
    ) -> tuple[int, list[DriverRow]]:
        """How many the search finds, and the page of them at its offset, as list rows
        (the columns of CUSTOMER_LIST, then the id)."""
        if search.text:
            # A search reads every match anyway: one pass counts them as it pages.
            counted = self._page_ids(distributor_id, search, counted=True)
            ids = [row[0] for row in counted]
            if counted:
                total = counted[0][1]
            else:  # none found, or a page past the end of those found
                total = self.count_customers(distributor_id, search) if search.offset else 0
        else:
            total = self.count_customers(distributor_id, search)
            ids = [row[0] for row in self._page_ids(distributor_id, search)]
        return total, self._rows(distributor_id, ids)

    def _page_ids(
        self, distributor_id: int, search: CustomerSearch, *, counted: bool = False
    ) -> list[DriverRow]:
        """The ids of the page's customers in order (each with the number found, if
        `counted`)."""
        keys = [*map(self._sort_key, SORT_COLUMNS[search.sort]), logins.c.id]
        order = [key.desc() if search.descending else key.asc() for key in keys]
        columns = (logins.c.id, func.count().over()) if counted else (logins.c.id,)
        query = select(*columns).select_from(self._sorted_from(search))
        query = query.where(*LIVE_CUSTOMERS_OF)
        query = self._narrowed(query, search).order_by(*order)
        query = query.offset(search.offset).limit(search.limit)
        found = self.connection.execute(query, {"distributor_id": distributor_id})
        return [tuple(row) for row in found]

    def _rows(self, distributor_id: int, ids: list[int]) -> list[DriverRow]:
        if not ids:
            return []
        rows = self.connection.execute(
            _ROWS.where(logins.c.id.in_(ids)), {"distributor_id": distributor_id}
        )
        by_id = {row[-1]: tuple(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    @property
    def _postgresql(self) -> bool:
        return self.connection.dialect.name == "postgresql"

    def _sort_key(self, column: ColumnElement[str]) -> ColumnElement[str]:
        """The column in any case: lower() on PostgreSQL; on SQLite its NOCASE collation,
        which compares without making a lowered copy of every value (half the time)."""
        if column is logins.c.username_key:
            return column
        return func.lower(column) if self._postgresql else collate(column, "NOCASE")

    def _searched_from(self, search: CustomerSearch) -> Any:
        """What the count reads: the logins, and their profiles when SQLite searches."""
        return _WITH_PROFILES if search.text and not self._postgresql else logins

    def _sorted_from(self, search: CustomerSearch) -> Any:
        """What a page's ids are read from: no more tables than the sort and the search
        need, so that PostgreSQL sorts before any join and keeps only the rows it shows."""
        if search.sort == "package":
            return _WITH_PACKAGES
        if search.sort in ("name", "company"):
            return _WITH_PROFILES
        return self._searched_from(search)

    def _narrowed(self, query: S, search: CustomerSearch) -> S:
        if search.active is not None:
            query = query.where(logins.c.active.is_(search.active))
        if not search.text:
            return query
        pattern = like_pattern(search.text)
        if self._postgresql:
            return query.where(logins.c.id.in_(_ids_containing(pattern)))
        columns = (logins.c.username, logins.c.email, profiles.c.company)
        return query.where(or_(*(c.like(pattern, escape=LIKE_ESCAPE) for c in columns)))


def _ids_containing(pattern: str) -> Select[tuple[int]]:
    """PostgreSQL: the logins whose username, email or company contains the pattern, in
    any case, one trigram index per column (the caller keeps to the distributor's live
    customers)."""
    by_login = select(logins.c.id).where(
        or_(
            logins.c.username.ilike(pattern, escape=LIKE_ESCAPE),
            logins.c.email.ilike(pattern, escape=LIKE_ESCAPE),
        )
    )
    by_company = select(profiles.c.login_id).where(
        profiles.c.company.ilike(pattern, escape=LIKE_ESCAPE)
    )
    return select(by_login.union(by_company).subquery().c[0])
