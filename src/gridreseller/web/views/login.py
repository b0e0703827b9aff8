"""Logging in and out (docs/dashboard.md): GET/POST /dashboard/login, POST /dashboard/logout."""

from __future__ import annotations

from datetime import UTC

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Principal
from gridreseller.domain.errors import DomainError, Forbidden, Throttled, Unauthorized
from gridreseller.http.problems import HttpProblem
from gridreseller.services.dashboard_sessions import SessionEnded
from gridreseller.web import csrf, messages, sessions
from gridreseller.web.actions import account as actions
from gridreseller.web.dashboard import Dashboard, Visit, client_of, redirect
from gridreseller.web.forms import Form, FormRefused, read_form
from gridreseller.web.security import comes_from_elsewhere

LOOPBACK = frozenset({"localhost", "::1", "[::1]"})


def routes(dashboard: Dashboard) -> list[Route]:
    page = LoginPage(dashboard)
    return [
        Route("/login", page.endpoint, methods=["GET", "POST"]),
        dashboard.route("/logout", None, act=logout),
    ]


class LoginPage:
    def __init__(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        self.ctx = dashboard.ctx

    async def endpoint(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.submit(request)
        return await self.show(request)

    async def show(self, request: Request) -> Response:
        """The form; a browser with a live session goes on to the dashboard."""
        try:
            token = sessions.session_token(request)
            if token is not None:
                await actions.resume(self.ctx, token, client_of(request))
                return redirect("/")
        except SessionEnded:
            pass
        except DomainError as error:
            return self.dashboard.domain_problem(request, error)
        notice = messages.NOTICES.get(request.query_params.get("notice", ""))
        return await self._form(request, 200, notice=notice)

    async def submit(self, request: Request) -> Response:
        username = ""
        try:
            form = await self._checked_form(request)
            username = form.text("username")
            principal = await actions.log_in(
                self.ctx, username, form.text("password"), client_of(request)
            )
        except FormRefused:
            return await self._form(request, 403, message=messages.LOGIN_FORM_REFUSED)
        except (Unauthorized, Forbidden, Throttled) as refusal:
            return await self._refused(request, username, refusal)
        except (DomainError, HttpProblem) as error:
            return self.dashboard.failure(request, error)
        return await self._admit(request, principal)

    async def _checked_form(self, request: Request) -> Form:
        """The form, if it comes from this site and carries the token of this browser's
        login form (rendered by any process on the database)."""
        if comes_from_elsewhere(request.headers, request.url.scheme):
            raise FormRefused()
        form = await read_form(request, self.dashboard.settings)
        key = await self.dashboard.form_key()
        max_age = self.dashboard.settings.dashboard_max_hours * 3600
        nonce = sessions.login_nonce(request)
        if not csrf.matches_login(key, nonce, form.get(csrf.FIELD), self._now(), max_age):
            raise FormRefused()
        return form

    async def _refused(self, request: Request, username: str, refusal: DomainError) -> Response:
        """The form again: 401 bad credentials, 403 may not, 429 throttled (docs/dashboard.md)."""
        if isinstance(refusal, Forbidden):
            return await self._form(request, 403, username, messages.DENIALS[refusal.denial])
        if isinstance(refusal, Throttled):
            message = messages.throttled(refusal.retry_after)
            response = await self._form(request, 429, username, message)
            response.headers["Retry-After"] = str(refusal.retry_after)
            return response
        return await self._form(request, 401, username, messages.LOGIN_FAILED)

    async def _admit(self, request: Request, principal: Principal) -> Response:
        previous = sessions.session_token(request)
        if previous is not None:  # a browser's new login replaces its old session
            await actions.end_token(self.ctx, previous)
        token = await actions.open_session(self.ctx, principal)
        response = redirect("/")
        sessions.set_session(response, token)
        sessions.clear_login_nonce(response)
        return response

    async def _form(
        self,
        request: Request,
        status: int,
        username: str = "",
        message: str | None = None,
        notice: str | None = None,
    ) -> Response:
        """The login form with a token bound to the browser's pre-session nonce."""
        nonce = sessions.login_nonce(request)
        if not csrf.is_nonce(nonce):
            nonce = csrf.new_nonce()
        assert nonce is not None
        try:
            key = await self.dashboard.form_key()
        except DomainError as error:
            return self.dashboard.domain_problem(request, error)
        response = self.dashboard.render(
            request,
            "login.html",
            status,
            csrf_token=csrf.login_token(key, nonce, self._now()),
            username=username,
            message=message,
            notice=notice,
            insecure=not secure_context(request),
        )
        sessions.set_login_nonce(response, nonce)
        return response

    def _now(self) -> int:
        return int(self.ctx.clock().replace(tzinfo=UTC).timestamp())


def secure_context(request: Request) -> bool:
    """Whether a browser keeps a Secure cookie from this page: HTTPS, or plain HTTP on a
    loopback name (Chromium treats 127.0.0.1, [::1] and localhost as secure contexts)."""
    host = (request.url.hostname or "").lower()
    loopback = host in LOOPBACK or host.endswith(".localhost") or host.startswith("127.")
    return request.url.scheme == "https" or loopback


async def logout(visit: Visit) -> Response:
    """This session only; the login's other sessions go on."""
    await actions.log_out(visit.ctx, visit.resumed.session)
    response = redirect("/login", notice="logged_out")
    sessions.clear_session(response)
    return response
