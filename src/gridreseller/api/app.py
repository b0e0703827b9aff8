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

from starlette.types import Receive, Scope, Send

from gridreseller.api.calls import Call
from gridreseller.api.openapi import openapi_document
from gridreseller.api.params import FormRules, read_params
from gridreseller.api.parts import ApiParts
from gridreseller.api.responses import (
    Response,
    error_response,
    errors_response,
    result_response,
)
from gridreseller.api.routing import resolve
from gridreseller.domain.errors import DomainError
from gridreseller.http.access_log import LOGIN_KEY, AccessLog, answer_logged
from gridreseller.http.answers import body_response
from gridreseller.http.body import refuse_declared
from gridreseller.http.headers import bearer, client_host, routed_path
from gridreseller.http.problems import BodyTooLarge, HttpProblem
from gridreseller.unexpected import log_unexpected

log = logging.getLogger("gridreseller")
API_METHODS = ("GET", "POST")
JSON = "application/json"


class ApiApp:
    """`/api/...`, `/healthz`, `/openapi.json`, and the 404 of every unknown path."""

    def __init__(self, parts: ApiParts) -> None:
        self.settings = parts.settings
        self.parts = parts
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
            client = client_host(scope)
            token = bearer(scope) if call.mail_form else None
            principal = await call.authenticate(self.parts, params, client, token)
            scope[LOGIN_KEY] = principal.username  # for the access log
            return await result_response(await call.act(self.parts, principal, params), fmt)
        except (DomainError, HttpProblem) as error:
            return error_response(error, fmt)
        except Exception as error:  # noqa: BLE001 - the client gets an envelope, never a trace
            log_unexpected(log, error, scope["path"])
            return errors_response(500, ["internal error"], fmt)

    def _refusal(
        self, scope: Scope, path: str, call: Call | None, fmt: str, max_body_bytes: int
    ) -> Response | None:
        """413 for a declared body over the limit, 404 for an unknown path, 405 for a verb."""
        try:
            refuse_declared(scope, max_body_bytes)
        except BodyTooLarge as error:
            return error_response(error, fmt)
        method = scope["method"]
        if path in self._pages:
            return None if method == "GET" else _not_allowed(method, ("GET",), fmt)
        if call is None:
            return errors_response(404, ["Unknown endpoint"], fmt)
        return None if method in API_METHODS else _not_allowed(method, API_METHODS, fmt)

    async def _healthz(self) -> Response:
        try:
            await self.parts.ping()
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return body_response(b'{"status":"unavailable"}\n', JSON, 503)
        return body_response(b'{"status":"ok"}\n', JSON)

    async def _openapi_page(self) -> Response:
        return body_response(self._openapi, JSON)


def _not_allowed(method: str, allowed: tuple[str, ...], fmt: str) -> Response:
    message = f"{method} is not allowed; use {' or '.join(allowed)}"
    return errors_response(405, [message], fmt, {"Allow": ", ".join(allowed)})
