"""The steps every dashboard page takes (docs/dashboard.md), and what its pages share.

A page behind the login: a POST is refused when it comes from another site, the
session is resumed (and its login judged again by the access core), a POST is
refused without the session's token, the page's capability is checked for the
login's role, then the page runs. Domain errors become their pages here, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gridreseller.domain.access import Capability, Principal, Role, may
from gridreseller.domain.errors import (
    Forbidden,
    Invalid,
    NotFound,
    Throttled,
    Unauthorized,
    Unavailable,
)
from gridreseller.http.errors import ErrorTable, Row
from gridreseller.http.headers import client_host
from gridreseller.http.problems import BodyTooLarge, HttpProblem
from gridreseller.services.context import ServiceContext
from gridreseller.services.dashboard_sessions import Resumed, SessionEnded
from gridreseller.unexpected import log_unexpected
from gridreseller.web import csrf, messages, sessions
from gridreseller.web.actions import account as actions
from gridreseller.web.forms import TOO_LARGE, Form, FormRefused, read_form
from gridreseller.web.parts import DashboardParts
from gridreseller.web.render import templates
from gridreseller.web.security import comes_from_elsewhere

log = logging.getLogger("gridreseller.dashboard")
PREFIX = "/dashboard"

ROLE_NAMES: Mapping[Role, str] = {
    Role.DISTRIBUTOR: "Distributor",
    Role.DISTRIBUTOR_CREDENTIAL: "Distributor's credential",
    Role.CUSTOMER: "Customer",
    Role.CUSTOMER_CREDENTIAL: "Customer's credential",
}
# The navigation: label, path, and the capability it needs.
NAVIGATION = (
    ("Customers", "/customers", Capability.MANAGE_CUSTOMERS),
    ("Add customer", "/customers/new", Capability.MANAGE_CUSTOMERS),
    ("Packages", "/packages", Capability.VIEW_PACKAGES),
    ("IP groups", "/ip-groups", Capability.VIEW_PACKAGES),
    ("Account", "/account", Capability.VIEW_ACCOUNT),
    ("Credentials", "/credentials", Capability.MANAGE_CREDENTIALS),
    ("API keys", "/api-keys", Capability.MANAGE_API_KEYS),
    ("Password", "/password", Capability.CHANGE_OWN_PASSWORD),
    ("Activity", "/activity", Capability.VIEW_ACTIVITY),
    ("Audit", "/audit", Capability.VIEW_ACTIVITY),
)


def client_of(request: Request) -> str:
    return client_host(request.scope)


def redirect(path: str, **query: str) -> RedirectResponse:
    """303 See Other to a dashboard path (after a POST, the browser GETs it)."""
    target = PREFIX + path + (f"?{urlencode(query)}" if query else "")
    return RedirectResponse(target, status_code=303)


@dataclass
class Visit:
    """One request of a logged-in session."""

    dashboard: Dashboard
    request: Request
    resumed: Resumed
    form: Form

    @property
    def principal(self) -> Principal:
        return self.resumed.principal

    @property
    def ctx(self) -> ServiceContext:
        return self.dashboard.ctx

    def query(self, name: str) -> str:
        return self.request.query_params.get(name, "")

    def may(self, capability: Capability) -> bool:
        role = self.principal.role
        return may(role, capability)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        return self.dashboard.render(self.request, template, status, **context)

    def context(self) -> dict[str, Any]:
        """What every page of a session shows."""
        current = _section(self.request.url.path.removeprefix(PREFIX))
        navigation = [
            (label, PREFIX + path, path == current)
            for label, path, capability in NAVIGATION
            if self.may(capability)
        ]
        return {
            "me": self.principal,
            "role": ROLE_NAMES[self.principal.role],
            "navigation": navigation,
            "csrf_token": csrf.mask(self.resumed.session.csrf_secret),
            "notice": messages.NOTICES.get(self.query("notice")),
        }


def _section(path: str) -> str | None:
    """The navigation entry a page belongs to: its own, or its list's (a customer's page
    belongs to Customers, a credential's to Credentials)."""
    paths = [entry for _label, entry, _capability in NAVIGATION]
    if path in paths:
        return path
    owners = [entry for entry in paths if path.startswith(entry.removesuffix("s"))]
    return min(owners, key=len) if owners else None


_ANONYMOUS: dict[str, Any] = {"me": None, "navigation": [], "notice": None, "csrf_token": ""}
Handler = Callable[[Visit], Awaitable[Response]]

# What a problem page says: its message and, for a form that was not valid, the details.
Said = tuple[str, list[str]]


def _saying(status: int | None, message: str) -> Row[Said]:
    return Row(status, lambda _error: (message, []))


# The dashboard's table from what stopped a request to its problem page (an ended
# session is no problem page: the login form again).
ERRORS: ErrorTable[Said] = ErrorTable(
    {
        FormRefused: _saying(403, messages.FORM_REFUSED),
        BodyTooLarge: _saying(None, TOO_LARGE),
        HttpProblem: Row(None, lambda problem: (problem.message, [])),
        NotFound: _saying(404, messages.USER_NOT_FOUND),
        Invalid: Row(400, lambda error: ("The request was not valid.", error.errors)),
        Forbidden: Row(403, lambda error: (messages.DENIALS[error.denial], [])),
        Throttled: Row(429, lambda error: (messages.throttled(error.retry_after), [])),
        Unavailable: _saying(503, messages.UNAVAILABLE),
    }
)


class Dashboard:
    """The pages, the parts they use, and what they share."""

    def __init__(self, parts: DashboardParts) -> None:
        self.ctx = parts.services
        self.identity = parts.identity
        self.settings = parts.settings
        self.templates = templates()
        self._form_key: bytes | None = None

    async def form_key(self) -> bytes:
        """The login form's key, read from the database once per process."""
        if self._form_key is None:
            self._form_key = await actions.form_key(self.ctx)
        return self._form_key

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        """A page; within a session, with its login, navigation and form token."""
        visit: Visit | None = getattr(request.state, "visit", None)
        base = visit.context() if visit is not None else _ANONYMOUS
        page = {**base, **context, "prefix": PREFIX}
        return self.templates.TemplateResponse(request, template, page, status_code=status)

    def problem(
        self, request: Request, status: int, message: str, details: list[str] | None = None
    ) -> Response:
        """A page that says why a request was not done (403, 404, 429, 503...)."""
        return self.render(
            request, "problem.html", status, code=status, message=message, details=details or []
        )

    async def http_problem(self, request: Request, error: Exception) -> Response:
        """Starlette's refusals (405 with its Allow header, 404) as pages."""
        assert isinstance(error, HTTPException)
        message = messages.PAGE_NOT_FOUND if error.status_code == 404 else str(error.detail)
        response = self.problem(request, error.status_code, message)
        response.headers.update(error.headers or {})
        return response

    # Routes -----------------------------------------------------------------------

    def route(
        self,
        path: str,
        capability: Capability | None,
        show: Handler | None = None,
        act: Handler | None = None,
    ) -> Route:
        """A path behind the login: `show` answers its GET, `act` its form's POST."""
        handlers = {"GET": show, "POST": act}

        async def endpoint(request: Request) -> Response:
            handler = handlers[request.method if request.method != "HEAD" else "GET"]
            assert handler is not None  # Starlette answers 405 for the methods not listed
            post = request.method == "POST"
            return await self.guarded(request, capability, handler, post=post)

        methods = [method for method, handler in handlers.items() if handler is not None]
        return Route(path, endpoint, methods=methods)

    async def guarded(
        self, request: Request, capability: Capability | None, handler: Handler, *, post: bool
    ) -> Response:
        try:
            visit = await self._enter(request, post=post)
            if isinstance(visit, Response):
                return visit
            if post and not csrf.matches_session(
                visit.resumed.session.csrf_secret, visit.form.get(csrf.FIELD)
            ):
                raise FormRefused()
            if capability is not None and not visit.may(capability):
                return self.problem(request, 403, messages.PAGE_FORBIDDEN)
            return await handler(visit)
        except Exception as error:  # noqa: BLE001 - every failure is a page, never a traceback
            return self.failure(request, error)

    async def _enter(self, request: Request, *, post: bool) -> Visit | Response:
        """The visit of a live session (a POST only from this site); else where the
        browser goes instead."""
        if post and comes_from_elsewhere(request.headers, request.url.scheme):
            raise FormRefused()
        token = sessions.session_token(request)
        if token is None:
            return redirect("/login")
        resumed = await actions.resume(self.ctx, token, client_of(request))
        form = await read_form(request, self.settings) if post else Form()
        visit = Visit(self, request, resumed, form)
        request.state.visit = visit  # every page of this request shows who is logged in
        return visit

    def failure(self, request: Request, error: Exception) -> Response:
        """The page for what stopped a request."""
        if isinstance(error, SessionEnded | Unauthorized):
            response = redirect("/login")
            sessions.clear_session(response)
            return response
        return self.domain_problem(request, error)

    def domain_problem(self, request: Request, error: Exception) -> Response:
        """The problem page of ERRORS' row for `error`; an error it has none for is
        unexpected: logged by type and place only, and a 500 page."""
        refusal = ERRORS.refusal(error)
        if refusal is None:
            log_unexpected(log, error, f"{request.method} {request.url.path}")
            return self.problem(request, 500, messages.UNEXPECTED)
        message, details = refusal.said
        response = self.problem(request, refusal.status, message, details)
        response.headers.update(refusal.headers or {})
        return response
