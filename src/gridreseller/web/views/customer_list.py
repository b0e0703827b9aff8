"""A distributor's customer list (docs/dashboard.md): search, sort, count, pages.

Every state of the list is a plain GET query (`search`, `active`, `sort`, `dir`,
`page`), so a page of the list can be bookmarked and works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.domain.errors import Invalid
from gridreseller.services.customer_search import CustomerListQuery, CustomerPage
from gridreseller.web.actions import customers as actions
from gridreseller.web.dashboard import PREFIX, Dashboard, Visit
from gridreseller.web.forms import Form
from gridreseller.web.render import FormState

QUERY_FIELDS = ("search", "active", "sort", "dir", "page")
FORM_FIELDS = QUERY_FIELDS[:-1]  # a bad `page` (a link, not a field) is told above the form
DEFAULTS = {"sort": "username", "dir": "asc", "page": "1"}
# The columns that sort, with their headings, in the table's order.
SORTED_COLUMNS = {
    "username": "Username",
    "email": "Contact email",
    "name": "Name",
    "company": "Company",
    "package": "Package",
}
# Page links around the current page (and the first and last, always).
NEAR = 2


def routes(dashboard: Dashboard) -> list[Route]:
    return [dashboard.route("/customers", Capability.MANAGE_CUSTOMERS, show=customer_list)]


async def customer_list(visit: Visit) -> Response:
    query = Form(tuple(visit.request.query_params.multi_items())).only(QUERY_FIELDS)
    try:
        page = await actions.search_customers(visit.ctx, visit.principal, query)
    except Invalid as error:
        refused = FormState.refused("list", query, error, FORM_FIELDS)
        return visit.render(
            "customers.html", 400, page=None, form=refused, listing=None, columns=SORTED_COLUMNS
        )
    listing = Listing(page)
    form = FormState("list", listing.values)
    return visit.render(
        "customers.html", page=page, form=form, listing=listing, columns=SORTED_COLUMNS
    )


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap in the numbers
    href: str
    current: bool


class Listing:
    """The links of one page of the list: to other pages, to other orders."""

    def __init__(self, page: CustomerPage) -> None:
        self.page = page
        query: CustomerListQuery = page.query
        active = {True: "true", False: "false", None: ""}[query.active]
        self.values = {
            "search": query.search or "",
            "active": active,
            "sort": query.sort,
            "dir": query.dir,
            "page": str(page.page),
        }

    def href(self, **changes: str) -> str:
        """This list's address with some of its query changed (defaults left out)."""
        values = {**self.values, **changes}
        kept = {k: v for k, v in values.items() if v and DEFAULTS.get(k) != v}
        return f"{PREFIX}/customers" + (f"?{urlencode(kept)}" if kept else "")

    def to_page(self, number: int) -> str:
        return self.href(page=str(number))

    @property
    def previous(self) -> str | None:
        return self.to_page(self.page.page - 1) if self.page.page > 1 else None

    @property
    def next(self) -> str | None:
        return self.to_page(self.page.page + 1) if self.page.page < self.page.pages else None

    def numbers(self) -> list[PageLink]:
        """The first page, the last, and those near the current one, gaps marked."""
        current, last = self.page.page, self.page.pages
        shown = sorted({1, last, *range(max(1, current - NEAR), min(last, current + NEAR) + 1)})
        links: list[PageLink] = []
        for number in shown:
            if links and links[-1].number is not None and number > links[-1].number + 1:
                links.append(PageLink(None, "", False))
            links.append(PageLink(number, self.to_page(number), number == current))
        return links

    def sort_link(self, column: str) -> str:
        """Sort by the column: ascending, or descending when it is the ascending order
        already; from the first page."""
        again = self.values["sort"] == column and self.values["dir"] == "asc"
        return self.href(sort=column, dir="desc" if again else "asc", page="1")

    def sorted_by(self, column: str) -> str | None:
        """`ascending`/`descending` for the column the list is sorted by (aria-sort)."""
        if self.values["sort"] != column:
            return None
        return "ascending" if self.values["dir"] == "asc" else "descending"
