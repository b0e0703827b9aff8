"""A distributor's packages (§12; distributor.packages)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.web import actions
from gridreseller.web.dashboard import Dashboard, Visit


def routes(dashboard: Dashboard) -> list[Route]:
    return [dashboard.route("/packages", Capability.VIEW_PACKAGES, show=package_list)]


async def package_list(visit: Visit) -> Response:
    packages = await actions.list_packages(visit.ctx, visit.principal)
    return visit.render("packages.html", packages=packages)
