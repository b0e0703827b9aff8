"""A distributor's IP groups and their addresses: the list for every login that may
see its packages; adding addresses, removing an address or a whole group (after a
confirmation step) for the distributor, under the operator's rules
(services/catalog.py)."""

from __future__ import annotations

from itertools import groupby

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.web import messages
from gridreseller.web.actions import plan as actions
from gridreseller.web.dashboard import Dashboard, Visit
from gridreseller.web.render import FormState
from gridreseller.web.views.catalog_change import catalog_change

# The page's forms (their `change`): the fields each sends, and its notice once done.
FORMS = {
    "add_ips": ("add_ips", ("group", "address"), "ips_added"),
    "remove_ip": ("remove_ip", (), "ip_removed"),
    "remove_group": ("remove_group", (), "group_removed"),
}


def routes(dashboard: Dashboard) -> list[Route]:
    return [
        dashboard.route("/ip-groups", Capability.VIEW_PACKAGES, show=group_list, act=change),
        dashboard.route("/ip-groups/remove", Capability.MANAGE_CATALOG, show=confirm_remove),
    ]


async def group_list(visit: Visit, refused: FormState | None = None) -> Response:
    rows = await actions.ip_rows(visit.ctx, visit.principal)
    groups = [(name, list(found)) for name, found in groupby(rows, key=lambda row: row.group)]
    states = {name: FormState(name) for name, _fields, _notice in FORMS.values()}
    if refused is not None:
        states[refused.name] = refused
    return visit.render(
        "ip_groups.html",
        400 if refused else 200,
        groups=groups,
        states=states,
        may_change=visit.may(Capability.MANAGE_CATALOG),
    )


change = catalog_change(FORMS, group_list, "/ip-groups")


async def confirm_remove(visit: Visit) -> Response:
    """The confirmation step for `?address=` or `?group=`: nothing is removed by a GET."""
    rows = await actions.ip_rows(visit.ctx, visit.principal)
    address, group = visit.query("address"), visit.query("group")
    if address and any(row.address == address for row in rows):
        what, fields = f"the address {address}", {"change": "remove_ip", "address": address}
    elif not address and group and any(row.group == group for row in rows):
        what = f"the IP group {group} and its addresses"
        fields = {"change": "remove_group", "group": group}
    else:
        return visit.dashboard.problem(visit.request, 404, messages.IP_NOT_FOUND)
    return visit.render(
        "confirm.html",
        title="Remove " + ("address" if address else "IP group"),
        question=f"Remove {what}? It is refused while a customer has it.",
        action="/ip-groups",
        fields=fields,
        button="Remove",
        cancel=("/ip-groups", {}),
    )
