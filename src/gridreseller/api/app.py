"""The legacy API's ASGI callable: for every request, route -> parse -> call -> render -> log.

One callable, no middleware stack: every request takes the same few steps (the
body limit, the security headers and the access log among them), so they are
written out here once. Each middleware layer cost a coroutine frame and a
wrapped `send` per request, and together with the router they were a quarter
of the CPU time of a cached read.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from starlette.types import Receive, Scope, Send

from gridreseller.api.access_log import AccessLog
from gridreseller.api.calls import Call
from gridreseller.api.openapi import openapi_document
from gridreseller.api.params import FormRules, declared_length, header, read_params
from gridreseller.api.problems import BodyTooLarge, HttpProblem
from gridreseller.api.responses import (
    Response,
    body_response,
    error_response,
    errors_response,
    result_response,
)
from gridreseller.api.routing import resolve
from gridreseller.bootstrap import Container
from gridreseller.db.repository import Repository
from gridreseller.domain.errors import DomainError

log = logging.getLogger("gridreseller")
API_METHODS = ("GET", "POST")
LOGIN_KEY = "gridreseller.login"
JSON = "application/json"


class ApiApp:
    """`/api/...`, `/healthz`, `/openapi.json`, and the 404 of every unknown path."""

    def __init__(self, container: Container) -> None:
        self.settings = container.settings
        self.container = container
        self._openapi = (
            json.dumps(openapi_document(self.settings.min_password_length)).encode() + b"\n"
        )
        self._pages = {"/healthz": self._healthz, "/openapi.json": self._openapi_page}
        self.access_log = AccessLog()
        self._form_rules = FormRules.standard(self.settings)
        self._mail_form_rules = FormRules.mail(self.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer_logged(self._answer, self.access_log, scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        path = routed_path(scope)
        call, fmt = resolve(path)
        rules = self._mail_form_rules if call and call.mail_form else self._form_rules
        refusal = self._refusal(scope, path, call, fmt, rules.max_body_bytes)
        if refusal is not None:
            return refusal
        page = self._pages.get(path)
        if page is not None:
            return await page()
        assert call is not None  # _refusal answered for unknown endpoints
        try:
            params = await read_params(scope, receive, rules)
            client = scope["client"][0] if scope.get("client") else "-"
            bearer = _bearer(scope) if call.mail_form else None
            principal = await call.authenticate(self.container, params, client, bearer)
            scope[LOGIN_KEY] = principal.username  # for the access log
            return await result_response(await call.act(self.container, principal, params), fmt)
        except (DomainError, HttpProblem) as error:
            return error_response(error, fmt)
        except Exception as error:  # noqa: BLE001 - the client gets an envelope, never a trace
            log_unexpected(scope["path"], error)
            return errors_response(500, ["internal error"], fmt)

    def _refusal(
        self, scope: Scope, path: str, call: Call | None, fmt: str, max_body_bytes: int
    ) -> Response | None:
        """413 for a declared body over the limit, 404 for an unknown path, 405 for a verb."""
        length = declared_length(scope)
        if length is not None and length > max_body_bytes:
            return error_response(BodyTooLarge(max_body_bytes), fmt)
        method = scope["method"]
        if path in self._pages:
            return None if method == "GET" else _not_allowed(method, ("GET",), fmt)
        if call is None:
            return errors_response(404, ["Unknown endpoint"], fmt)
        return None if method in API_METHODS else _not_allowed(method, API_METHODS, fmt)

    async def _healthz(self) -> Response:
        try:
            await self.container.uow.run_read(_ping)
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return body_response(b'{"status":"unavailable"}\n', JSON, 503)
        return body_response(b'{"status":"ok"}\n', JSON)

    async def _openapi_page(self) -> Response:
        return body_response(self._openapi, JSON)


def routed_path(scope: Scope) -> str:
    """The path as sent, not percent-decoded: `/api/credentials%2Fget.json` names no
    call, so a proxy's rule on paths cannot be sidestepped by encoding a slash."""
    raw: bytes | None = scope.get("raw_path")
    return raw.decode("latin-1") if raw else str(scope["path"])


def _bearer(scope: Scope) -> str | None:
    """The token of `Authorization: Bearer ...`, if the request has one."""
    value = header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.decode("latin-1").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _not_allowed(method: str, allowed: tuple[str, ...], fmt: str) -> Response:
    message = f"{method} is not allowed; use {' or '.join(allowed)}"
    return errors_response(405, [message], fmt, {"Allow": ", ".join(allowed)})


def _ping(repository: Repository) -> None:
    repository.connection.execute(text("SELECT 1"))


async def answer_logged(
    answer: Callable[[Scope, Receive], Awaitable[Response]],
    access_log: AccessLog,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Send `answer`'s response and write its access log line (the legacy API's and
    the v3 surface's alike), whatever happens while it streams."""
    started = time.perf_counter()
    status = 500
    try:
        response = await answer(scope, receive)
        status = response.status_code
        await response(scope, receive, send)
    except Exception as error:  # noqa: BLE001 - a stream failed after its status was sent
        log_unexpected(scope["path"], error)
    finally:
        client = scope.get("client") or ("-", 0)
        milliseconds = (time.perf_counter() - started) * 1000
        login: str = scope.get(LOGIN_KEY, "-")
        access_log.add(client[0], login, scope["method"], scope["path"], status, milliseconds)


def log_unexpected(path: str, error: Exception) -> None:
    """Type and place only: exception texts can carry SQL parameters such as hashes."""
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}" if frame else "?"
    log.error("unexpected %s at %s handling %s", type(error).__name__, where, path)
