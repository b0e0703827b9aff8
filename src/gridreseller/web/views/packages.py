"""A distributor's packages (distributor.packages): the list for every login that may
see it; creating one and deleting one (after a confirmation step) for the distributor,
under the operator's rules (services/catalog.py)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.web import messages
from gridreseller.web.actions import plan as actions
from gridreseller.web.dashboard import Dashboard, Visit
from gridreseller.web.render import FormState
from gridreseller.web.views.catalog_change import catalog_change

NEW_PACKAGE_FIELDS = (
    "name",
    "description",
    "price",
    "distributor_price",
    "credits",
    "overage",
    "has_ip",
    "has_reseller",
)
# The page's forms (their `change`): the fields each sends, and its notice once done.
FORMS = {
    "create_package": ("new_package", NEW_PACKAGE_FIELDS, "package_created"),
    "delete_package": ("delete_package", (), "package_deleted"),
}


def routes(dashboard: Dashboard) -> list[Route]:
    return [
        # The forms post to the page itself (`change` says which), so a refused one is
        # shown again at the page's own address.
        dashboard.route("/packages", Capability.VIEW_PACKAGES, show=package_list, act=change),
        dashboard.route("/packages/delete", Capability.MANAGE_CATALOG, show=confirm_delete),
    ]


async def package_list(visit: Visit, refused: FormState | None = None) -> Response:
    packages = await actions.list_packages(visit.ctx, visit.principal)
    states = {name: FormState(name) for name, _fields, _notice in FORMS.values()}
    if refused is not None:
        states[refused.name] = refused
    return visit.render(
        "packages.html",
        400 if refused else 200,
        packages=packages,
        states=states,
        may_change=visit.may(Capability.MANAGE_CATALOG),
    )


change = catalog_change(FORMS, package_list, "/packages")


async def confirm_delete(visit: Visit) -> Response:
    """The confirmation step: nothing is deleted by a GET."""
    name = visit.query("name")
    packages = await actions.list_packages(visit.ctx, visit.principal)
    if name not in {package.name for package in packages}:
        return visit.dashboard.problem(visit.request, 404, messages.PACKAGE_NOT_FOUND)
    return visit.render(
        "confirm.html",
        title="Delete package",
        question=(
            f"Delete the package {name}? It is refused while a customer has it. "
            "This cannot be undone."
        ),
        action="/packages",
        fields={"change": "delete_package", "name": name},
        button="Delete package",
        cancel=("/packages", {}),
    )
