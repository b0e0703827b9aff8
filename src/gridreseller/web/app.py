"""The dashboard's Starlette app under /dashboard (docs/dashboard.md): its routes, the stylesheet,
the 404 of unknown paths, and the security headers on every answer."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from gridreseller.web import messages
from gridreseller.web.dashboard import NAVIGATION, PREFIX, Dashboard, Visit, redirect
from gridreseller.web.parts import DashboardParts
from gridreseller.web.render import STATIC
from gridreseller.web.security import SecurityHeaders
from gridreseller.web.views import (
    account,
    activity,
    api_keys,
    credentials,
    customer_list,
    customers,
    ip_groups,
    login,
    packages,
    senders,
)


def dashboard_routes(parts: DashboardParts) -> list[BaseRoute]:
    """`/dashboard` and everything under it, with the security headers on every answer."""
    dashboard = Dashboard(parts)
    routes: list[BaseRoute] = [
        Mount("/static", app=StaticFiles(directory=STATIC)),
        *login.routes(dashboard),
        dashboard.route("/", None, show=_home),
        *customer_list.routes(dashboard),
        *customers.routes(dashboard),
        *senders.routes(dashboard),
        *packages.routes(dashboard),
        *ip_groups.routes(dashboard),
        *credentials.routes(dashboard),
        *account.routes(dashboard),
        *api_keys.routes(dashboard),
        *activity.routes(dashboard),
    ]
    router = Router(routes, default=_NotFound(dashboard))
    # Starlette's own refusals (405, a missing static file) become pages here, inside
    # the headers middleware, rather than plain text outside it.
    handlers = {HTTPException: dashboard.http_problem}
    return [
        Route(PREFIX, SecurityHeaders(_to_dashboard), methods=["GET"]),
        Mount(PREFIX, app=SecurityHeaders(ExceptionMiddleware(router, handlers))),
    ]


async def _to_dashboard(scope: Scope, receive: Receive, send: Send) -> None:
    """`/dashboard` is `/dashboard/`."""
    await redirect("/")(scope, receive, send)


async def _home(visit: Visit) -> Response:
    """/dashboard/: the first page the login's role may use."""
    for _label, path, capability in NAVIGATION:
        if visit.may(capability):
            return redirect(path)
    return visit.dashboard.problem(visit.request, 403, messages.PAGE_FORBIDDEN)


class _NotFound:
    """Unknown paths under /dashboard/: like any page, the login first, then a 404."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.dashboard.guarded(request, None, _not_found, post=False)
        await response(scope, receive, send)


async def _not_found(visit: Visit) -> Response:
    return visit.dashboard.problem(visit.request, 404, messages.PAGE_NOT_FOUND)
