"""The ASGI entry of `serve`: each surface built from its parts (bootstrap.py),
requests dispatched by path prefix.

`/api/` (and `/healthz`, `/openapi.json`, and the 404 of unknown paths) go to the
legacy API's own lean callable, which the benchmark measures; `/auth/mail`, asked
on every mail login, is a lean callable too; `/v3/` is the JSON surface of API
keys (v3/app.py); the dashboard is ordinary Starlette routes; `/` is one constant
page pointing a person to the others. Dispatch is one
prefix test on the raw path, so `/api/credentials%2Fget.json` cannot reach a route
that a proxy rule on decoded paths would have kept it from.
"""

from __future__ import annotations

import gc
import logging

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from gridreseller.api.app import ApiApp
from gridreseller.api.responses import errors_response
from gridreseller.api.routing import format_of_path
from gridreseller.bootstrap import HttpParts, serve_parts
from gridreseller.config import load_settings
from gridreseller.forwarded import ForwardedFor
from gridreseller.http.answers import body_response
from gridreseller.mail import auth_http
from gridreseller.v3.app import V3App
from gridreseller.web.app import dashboard_routes

DASHBOARD_PREFIX = b"/dashboard"
AUTH_HTTP_PATH = auth_http.PATH.encode()
HOME_PATH = b"/"
V3_PREFIX = b"/v3/"


class Dispatcher:
    def __init__(self, parts: HttpParts, routes: list[BaseRoute]) -> None:
        self.shutdown = parts.shutdown
        self.api = ApiApp(parts.api)
        self.v3 = V3App(parts.v3, self.api.access_log)
        self.dashboard: ASGIApp = Starlette(routes=routes)
        self.auth_http = auth_http.endpoint(parts.auth_http)
        allowed = parts.forwarded_allow_ips
        self.forwarded = ForwardedFor(allowed) if allowed else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Before dispatch, so every surface throttles, audits and logs the same client.
            if self.forwarded is not None:
                scope = self.forwarded.apply(scope)
            path: bytes = scope.get("raw_path") or scope["path"].encode()
            if path.startswith(DASHBOARD_PREFIX):
                await self.dashboard(scope, receive, send)
            elif path.startswith(V3_PREFIX):
                await self.v3(scope, receive, send)
            elif path == AUTH_HTTP_PATH and self.auth_http is not None:
                await self.auth_http(scope, receive, send)
            elif path == HOME_PATH:
                await home(scope, receive, send)
            else:
                await self.api(scope, receive, send)
        elif scope["type"] == "websocket":
            await refuse_websocket(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                self.api.access_log.flush()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def refuse_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    """No surface speaks WebSocket: the upgrade gets a plain 400 in the API's envelope
    (ASGI's websocket.http.response), with the headers every answer carries."""
    await receive()  # websocket.connect
    answer = errors_response(400, [WEBSOCKET_REFUSED], format_of_path(scope["path"]))
    start = {"type": "websocket.http.response.start", "status": answer.status_code}
    await send({**start, "headers": answer.headers})
    await send({"type": "websocket.http.response.body", "body": answer.body})


WEBSOCKET_REFUSED = "WebSocket upgrades are not supported"

# Who opens the server's address in a browser (or curls it) learns where to go.
HOME_PAGE = body_response(
    b'<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>gridreseller</title>\n'
    b"<h1>gridreseller</h1>\n"
    b"<p>The legacy SendGrid Web API v2 answers under /api/.</p>\n"
    b'<ul><li><a href="/dashboard/">/dashboard/</a>: the dashboard</li>\n'
    b'<li><a href="/openapi.json">/openapi.json</a>: the API as an OpenAPI 3 document</li>'
    b"</ul>\n",
    "text/html; charset=utf-8",
    headers={
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "X-Frame-Options": "DENY",
    },
)
HOME_METHODS = ("GET", "HEAD")


async def home(scope: Scope, receive: Receive, send: Send) -> None:
    """The page for GET (and HEAD: uvicorn leaves the body out); 405 for other verbs,
    in the API's envelope like every other refused verb."""
    if scope["method"] in HOME_METHODS:
        await HOME_PAGE(scope, receive, send)
        return
    message = f"{scope['method']} is not allowed; use GET"
    allowed = {"Allow": ", ".join(HOME_METHODS)}
    await errors_response(405, [message], "json", allowed)(scope, receive, send)


def create_app(parts: HttpParts | None = None) -> Dispatcher:
    """The ASGI app; uvicorn's workers call this with no arguments (settings from the
    environment), the tests with the parts of the container they hold."""
    _lean_log_records()
    parts = parts or serve_parts(load_settings())
    dispatcher = Dispatcher(parts, dashboard_routes(parts.dashboard))
    # What start-up made (modules, SQLAlchemy's compiled statements, templates) lives as
    # long as the process: out of the collector's sight, a full collection only walks
    # what requests made since.
    gc.freeze()
    return dispatcher


def _lean_log_records() -> None:
    """No caller lookup, thread or process fields in log records: our formats use none,
    and on the access log they cost a tenth of a cached read (logging HOWTO, Optimization)."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
