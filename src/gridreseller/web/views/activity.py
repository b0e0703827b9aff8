"""Sending activity and the audit trail (docs/dashboard.md): a distributor's whole
account or one customer's, a customer's own; the audit entries with filters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.domain.activity import Counts
from gridreseller.domain.errors import Invalid
from gridreseller.domain.models import LoginKind
from gridreseller.services import activity, audit_trail
from gridreseller.web.actions import account as actions
from gridreseller.web.chart import chart_of
from gridreseller.web.dashboard import Dashboard, Visit
from gridreseller.web.render import FormState

ACTIVITY_FILTERS = ("since", "until")
AUDIT_FILTERS = ("action", "actor", "since", "until")


def routes(dashboard: Dashboard) -> list[Route]:
    return [
        dashboard.route("/activity", Capability.VIEW_ACTIVITY, show=activity_page),
        dashboard.route("/audit", Capability.VIEW_ACTIVITY, show=audit_page),
    ]


async def activity_page(visit: Visit) -> Response:
    """?user= one customer of a distributor; ?since=&until= the days (default 30)."""
    # A customer has no customers: its page is its own, whatever ?user= says.
    user = visit.query("user") if visit.principal.account_kind is LoginKind.DISTRIBUTOR else ""
    filters = _filters(visit, "activity", ACTIVITY_FILTERS, user=user)
    query = activity.ActivityQuery(user, visit.query("since"), visit.query("until"))
    try:
        found = await actions.activity_of(visit.ctx, visit.principal, query)
    except Invalid as error:
        refused = _refused(filters, error)
        return visit.render("activity.html", 400, filters=refused, found=None, user=user)
    chart = chart_of(found)
    return visit.render(
        "activity.html", filters=filters, found=found, chart=chart, user=user, empty=Counts()
    )


async def audit_page(visit: Visit) -> Response:
    """?action= (a prefix) &actor= &since= &until= &page=."""
    filters = _filters(visit, "audit", AUDIT_FILTERS)
    query = audit_trail.AuditQuery(*(visit.query(n) for n in (*AUDIT_FILTERS, "page")))
    try:
        found = await actions.audit_of(visit.ctx, visit.principal, query)
    except Invalid as error:
        refused = _refused(filters, error)
        return visit.render("audit.html", 400, filters=refused, found=None, pages={})
    kept = {name: value for name, value in filters.values.items() if value}
    pages: dict[str, dict[str, Any]] = {}
    if found.page > 1:
        pages["previous"] = {**kept, "page": str(found.page - 1)}
    if found.more:
        pages["next"] = {**kept, "page": str(found.page + 1)}
    return visit.render("audit.html", filters=filters, found=found, pages=pages)


def _filters(visit: Visit, name: str, fields: Iterable[str], **fixed: str) -> FormState:
    return FormState(name, {**{field: visit.query(field) for field in fields}, **fixed})


def _refused(filters: FormState, error: Invalid) -> FormState:
    """The filters again, each error beside the field it names, the rest above them."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in error.problems:
        if problem.field is not None and problem.field in filters.values:
            by_field.setdefault(problem.field, []).append(problem.message)
        else:
            general.append(problem.message)
    return FormState(filters.name, filters.values, by_field, general)
