"""A customer's allowed sender domains (docs/dashboard.md, "Sender domains"): a page of
its own with the form, which the customer page also carries; a refused list comes back
here, beside the box, with nothing changed."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.domain.errors import Invalid
from gridreseller.domain.senders import SEPARATOR
from gridreseller.web.actions import customers as actions
from gridreseller.web.dashboard import Dashboard, Visit, redirect
from gridreseller.web.render import FormState

PATH = "/customer/senders"
FIELD = "sender_domains"


def routes(dashboard: Dashboard) -> list[Route]:
    return [dashboard.route(PATH, Capability.MANAGE_CUSTOMERS, show=show, act=save)]


async def show(visit: Visit, refused: FormState | None = None) -> Response:
    user = visit.form.text("user") if refused else visit.query("user")
    customer = await actions.find_customer(visit.ctx, visit.principal, user)
    lines = "\n".join(customer[FIELD].split(SEPARATOR)) if customer[FIELD] else ""
    state = refused or FormState("senders", {FIELD: lines})
    return visit.render(
        "customer_senders.html", 400 if refused else 200, customer=customer, senders=state
    )


async def save(visit: Visit) -> Response:
    try:
        await actions.set_sender_domains(visit.ctx, visit.principal, visit.form)
    except Invalid as error:
        return await show(visit, FormState.refused("senders", visit.form, error, (FIELD,)))
    return redirect("/customer", user=visit.form.text("user"), notice="sender_domains_saved")
