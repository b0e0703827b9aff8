"""The `/v3` surface's ASGI callable: route -> body -> caller -> call -> JSON answer.

Like the legacy API's (api/app.py), one callable whose steps are written out once:
the body limit, the media type, the access core, the security headers, the access
log. Client input never gets a 500: every refusal is SendGrid's error shape.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from starlette.types import Receive, Scope, Send

from gridreseller.domain.api_keys import MAIL_SEND
from gridreseller.domain.errors import DomainError, Invalid, Problem
from gridreseller.http.access_log import LOGIN_KEY, AccessLog, answer_logged
from gridreseller.http.answers import Answer
from gridreseller.http.body import mail_body_limit, read_body, refuse_declared
from gridreseller.http.headers import client_host, media_type, routed_path
from gridreseller.http.problems import HttpProblem
from gridreseller.services.v3_mail_send import send_v3_mail
from gridreseller.unexpected import log_unexpected
from gridreseller.v3 import keys
from gridreseller.v3.auth import V3Caller, authenticate
from gridreseller.v3.parts import V3Parts
from gridreseller.v3.responses import (
    NOT_FOUND,
    empty_response,
    error_response,
    errors_response,
)

log = logging.getLogger("gridreseller")
KEYS_PATH = "/v3/api_keys"
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
Handler = Callable[["V3App", V3Caller, str, object], Awaitable[Answer]]


class Route(NamedTuple):
    handlers: dict[str, Handler]
    mail: bool = False  # the mail send's larger body


async def _create(app: V3App, caller: V3Caller, _id: str, body: object) -> Answer:
    return await keys.create(app.parts.services, caller, body)


async def _list(app: V3App, caller: V3Caller, _id: str, _body: object) -> Answer:
    return await keys.list_all(app.parts.services, caller)


async def _get(app: V3App, caller: V3Caller, key_id: str, _body: object) -> Answer:
    return await keys.get_one(app.parts.services, caller, key_id)


async def _patch(app: V3App, caller: V3Caller, key_id: str, body: object) -> Answer:
    return await keys.rename(app.parts.services, caller, key_id, body)


async def _put(app: V3App, caller: V3Caller, key_id: str, body: object) -> Answer:
    return await keys.replace(app.parts.services, caller, key_id, body)


async def _delete(app: V3App, caller: V3Caller, key_id: str, _body: object) -> Answer:
    return await keys.delete(app.parts.services, caller, key_id)


async def _scopes(app: V3App, caller: V3Caller, _id: str, _body: object) -> Answer:
    return keys.scopes(caller)


async def _send(app: V3App, caller: V3Caller, _id: str, body: object) -> Answer:
    caller.keys.require(MAIL_SEND)
    parts = app.parts
    accepted = await send_v3_mail(parts.services, parts.submission, caller.principal, body)
    if accepted.message_id is None:  # sandbox mode: validated, nothing sent
        return empty_response(200)
    return empty_response(202, {"X-Message-Id": accepted.message_id})


ROUTES: dict[str, Route] = {
    KEYS_PATH: Route({"GET": _list, "POST": _create}),
    f"{KEYS_PATH}/": Route({"GET": _get, "PATCH": _patch, "PUT": _put, "DELETE": _delete}),
    "/v3/scopes": Route({"GET": _scopes}),
    "/v3/mail/send": Route({"POST": _send}, mail=True),
}


def route_of(path: str) -> tuple[Route | None, str]:
    """The route of a path, and the key id of `/v3/api_keys/{id}` (else "")."""
    if path.startswith(f"{KEYS_PATH}/"):
        key_id = path[len(KEYS_PATH) + 1 :]
        return (ROUTES[f"{KEYS_PATH}/"], key_id) if key_id and "/" not in key_id else (None, "")
    return ROUTES.get(path), ""


class V3App:
    def __init__(self, parts: V3Parts, access_log: AccessLog) -> None:
        self.parts = parts
        self.access_log = access_log
        settings = parts.settings
        self.max_body = settings.max_body_bytes
        self.max_mail_body = mail_body_limit(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer_logged(self._answer, self.access_log, scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Answer:
        route, key_id = route_of(routed_path(scope))
        if route is None:
            return errors_response(404, [Problem(None, NOT_FOUND)])
        method = scope["method"]
        handler = route.handlers.get(method)
        if handler is None:
            allowed = ", ".join(route.handlers)
            message = f"{method} is not allowed; use {allowed}"
            return errors_response(405, [Problem(None, message)], {"Allow": allowed})
        try:
            raw = await self._body(scope, receive, route)
            caller = await authenticate(self.parts, scope, client_host(scope))
            scope[LOGIN_KEY] = caller.principal.username  # for the access log
            return await handler(self, caller, key_id, parse_json(raw))
        except (DomainError, HttpProblem) as error:
            return error_response(error)
        except Exception as error:  # noqa: BLE001 - the client gets an envelope, never a trace
            log_unexpected(log, error, scope["path"])
            return errors_response(500, [Problem(None, "internal error")])

    async def _body(self, scope: Scope, receive: Receive, route: Route) -> bytes:
        """The whole body (413 past the limit; 415 unless JSON, for the verbs that
        carry one)."""
        limit = self.max_mail_body if route.mail else self.max_body
        refuse_declared(scope, limit)
        raw = await read_body(receive, limit)
        if raw and scope["method"] in WITH_BODY and media_type(scope)[0] != "application/json":
            raise HttpProblem(415, "the request body must be application/json")
        return raw


def parse_json(raw: bytes) -> object:
    """The body's JSON document (None for an empty body)."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Invalid([Problem(None, "the request body must be valid JSON in UTF-8")]) from None
