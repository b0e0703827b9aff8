"""The ASGI entry of `serve`: one container, requests dispatched by path prefix.

`/api/` (and `/healthz`, `/openapi.json`, and the 404 of unknown paths) go to the
legacy API's own lean callable, which the benchmark measures; the other surfaces
(`/dashboard/`, `/auth/mail`) are ordinary Starlette routes. Dispatch is one
prefix test on the raw path, so `/api/credentials%2Fget.json` cannot reach a route
that a proxy rule on decoded paths would have kept it from.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from gridreseller.api.app import ApiApp
from gridreseller.bootstrap import Container, build_container
from gridreseller.config import Settings, load_settings
from gridreseller.mail import auth_http

# Paths served by Starlette routes; everything else is the API's.
STARLETTE_PREFIXES = (b"/dashboard", b"/auth/mail")


class Dispatcher:
    def __init__(self, container: Container, routes: list[BaseRoute]) -> None:
        self.container = container
        self.api = ApiApp(container)
        self.other: ASGIApp = Starlette(routes=routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: bytes = scope.get("raw_path") or scope["path"].encode()
            if path.startswith(STARLETTE_PREFIXES):
                await self.other(scope, receive, send)
            else:
                await self.api(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.container.throttled.flush()
                # The event loop's thread keeps a connection for its reads: hand it back.
                self.container.uow.release_thread_connections()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(settings: Settings | None = None, container: Container | None = None) -> Dispatcher:
    """The ASGI app; uvicorn's workers call this with no arguments (settings from env)."""
    _lean_log_records()
    container = container or build_container(settings or load_settings())
    return Dispatcher(container, surface_routes(container))


def surface_routes(container: Container) -> list[BaseRoute]:
    """The Starlette routes of the surfaces other than the API."""
    return [*auth_http.routes(container)]


def _lean_log_records() -> None:
    """No caller lookup, thread or process fields in log records: our formats use none,
    and on the access log they cost a tenth of a cached read (logging HOWTO, Optimization)."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
