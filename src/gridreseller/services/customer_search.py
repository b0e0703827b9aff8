"""The dashboard's customer list (docs/dashboard.md): a substring search, a sortable
order, the number found, and numbered pages.

The API's `distributor.manage` profile get keeps its own list (exact filters, the
username order, a stream of every row); this one answers a page at a time, with the
searching, sorting and counting done by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from gridreseller.db.records.customer_search import SORTABLE, CustomerSearch
from gridreseller.db.repository import Repository
from gridreseller.db.statements import DriverRow
from gridreseller.domain.models import CUSTOMER_FIELDS, Actor
from gridreseller.services.context import ServiceContext

PAGE_SIZE = 50
SORT_COLUMNS: tuple[str, ...] = SORTABLE  # what the list sorts by; the first by default
DIRECTIONS = ("asc", "desc")
FLAGS = frozenset(("active", "website_access"))
# Past any real list's end (the last page is shown instead), and an offset any database
# takes: `page` may have 18 digits, which times 50 is past a 64-bit integer.
FURTHEST_PAGE = 10**12
ListedCustomer = dict[str, str]  # CUSTOMER_FIELDS -> value


class CustomerListQuery(NamedTuple):
    search: str | None
    active: bool | None
    sort: str
    dir: str
    page: int


@dataclass(frozen=True)
class CustomerPage:
    """One page of the list: its rows, which page it is, and how many were found."""

    query: CustomerListQuery
    rows: list[ListedCustomer]
    total: int
    page: int  # the page shown: the one asked for, or the last when it was past the end
    pages: int  # at least 1, even when nothing was found
    size: int

    @property
    def first_row(self) -> int:
        """The position of the page's first row in the whole list (from 1)."""
        return (self.page - 1) * self.size + 1


async def list_customers(
    ctx: ServiceContext, actor: Actor, query: CustomerListQuery, size: int = PAGE_SIZE
) -> CustomerPage:
    """A page of the acting distributor's live customers."""

    def look(repository: Repository) -> CustomerPage:
        descending = query.dir == "desc"
        search = CustomerSearch(query.search, query.active, query.sort, descending, 0, size)
        page = min(query.page, FURTHEST_PAGE)
        total, found = repository.search_customers(actor.account_id, page_at(search, page, size))
        pages = max(1, -(-total // size))
        if page > pages:  # past the end: the last page instead
            page = pages
            total, found = repository.search_customers(
                actor.account_id, page_at(search, page, size)
            )
        rows = [_as_view(row) for row in found]
        return CustomerPage(query, rows, total, page, pages, size)

    return await ctx.uow.run_read(look)


def page_at(search: CustomerSearch, page: int, size: int) -> CustomerSearch:
    return search._replace(offset=(page - 1) * size)


def _as_view(row: DriverRow) -> ListedCustomer:
    """A list row as the API shows one, by field name: every value a string, the flags
    "true"/"false"."""
    return {
        name: ("true" if value else "false") if name in FLAGS else (value or "")
        for name, value in zip(CUSTOMER_FIELDS, row, strict=False)
    }
