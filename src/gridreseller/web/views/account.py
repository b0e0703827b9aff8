"""A customer's own account (docs/dashboard.md): the read-only view (for its credentials too) and
changing its own password."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.domain.errors import Invalid
from gridreseller.web.actions import account as actions
from gridreseller.web.dashboard import Dashboard, Visit, redirect
from gridreseller.web.render import FormState

PASSWORD_FIELDS = ("current_password", "password", "confirm_password")
PROFILE_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "address": "Address",
    "city": "City",
    "state": "State or region",
    "zip": "Postal code",
    "country": "Country",
    "phone": "Phone",
    "website": "Website",
    "company": "Company",
}


def routes(dashboard: Dashboard) -> list[Route]:
    return [
        dashboard.route("/account", Capability.VIEW_ACCOUNT, show=account_page),
        dashboard.route(
            "/password", Capability.CHANGE_OWN_PASSWORD, show=password_page, act=change_password
        ),
    ]


async def account_page(visit: Visit) -> Response:
    found = await actions.view_account(visit.ctx, visit.principal)
    credits = await actions.own_credits(visit.ctx, visit.principal)
    return visit.render("account.html", account=found, labels=PROFILE_LABELS, limit=credits.limit)


async def password_page(visit: Visit, refused: FormState | None = None) -> Response:
    status = 400 if refused else 200
    return visit.render("password.html", status, form=refused or FormState("password"))


async def change_password(visit: Visit) -> Response:
    """This session stays logged in; the login's other sessions end."""
    try:
        await actions.change_own_password(
            visit.ctx, visit.resumed.session, visit.principal, visit.form
        )
    except Invalid as error:
        return await password_page(
            visit, FormState.refused("password", visit.form, error, PASSWORD_FIELDS)
        )
    return redirect("/password", notice="password_changed")
