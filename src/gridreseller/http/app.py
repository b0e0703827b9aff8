"""The Starlette application: a route is parse -> service -> render."""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gridreseller.config import Settings, load_settings
from gridreseller.db.engine import build_engine
from gridreseller.db.repository import Repository
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.domain.errors import DomainError
from gridreseller.http.calls import Call
from gridreseller.http.middleware import AccessLog, BodyLimit, SecurityHeaders
from gridreseller.http.openapi import openapi_document
from gridreseller.http.params import read_params
from gridreseller.http.problems import HttpProblem
from gridreseller.http.responses import error_response, errors_response, result_response
from gridreseller.http.routing import resolve
from gridreseller.services.context import ServiceContext
from gridreseller.services.login_cache import LoginCache
from gridreseller.services.passwords import Passwords
from gridreseller.services.throttle import LoginThrottle, ThrottlePolicy

log = logging.getLogger("gridreseller")
ALLOWED_METHODS = ("GET", "POST")
GET_ONLY = frozenset({"/healthz", "/openapi.json"})


def build_context(settings: Settings) -> ServiceContext:
    engine = build_engine(settings)
    # A few threads do the slow work (argon2, PostgreSQL round trips): more only
    # contend for the GIL.
    executor = ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="gridreseller")
    return ServiceContext(
        settings=settings,
        uow=UnitOfWork(engine, executor),
        passwords=Passwords(settings),
        executor=executor,
        login_cache=LoginCache(settings.login_cache_size, settings.login_cache_seconds),
        throttle=LoginThrottle(ThrottlePolicy.from_settings(settings)),
    )


def create_app(settings: Settings | None = None, ctx: ServiceContext | None = None) -> Starlette:
    """The ASGI app; uvicorn's workers call this with no arguments (settings from env)."""
    settings = settings or load_settings()
    ctx = ctx or build_context(settings)

    async def api(request: Request) -> Response:
        call, fmt = resolve(request.url.path)
        refusal = _refusal(request, call, fmt)
        if refusal is not None:
            return refusal
        assert call is not None  # _refusal answered for unknown endpoints
        try:
            params = await read_params(request, settings)
            client = request.client.host if request.client else "-"
            return await result_response(await call.handle(ctx, params, client), fmt)
        except (DomainError, HttpProblem) as error:
            return error_response(error, fmt)
        except Exception as error:  # noqa: BLE001 - the client gets an envelope, never a trace
            _log_unexpected(request, error)
            return errors_response(500, ["internal error"], fmt)

    async def healthz(_request: Request) -> Response:
        try:
            await ctx.uow.run_read(_ping)
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    document = openapi_document(settings.min_password_length)

    async def openapi(_request: Request) -> Response:
        return JSONResponse(document)

    app = Starlette(
        lifespan=_lifespan(ctx),
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            # A mount passes every verb through, so the contract's 405 is ours to give.
            Mount("/", app=_asgi(api)),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(AccessLog),
            Middleware(BodyLimit, limit=settings.max_body_bytes),
        ],
    )
    app.state.ctx = ctx
    return app


def _refusal(request: Request, call: Call | None, fmt: str) -> Response | None:
    """405 for a verb the path does not take; 404 for an unknown endpoint."""
    if request.url.path in GET_ONLY:  # the GET routes matched first: another verb
        allowed: tuple[str, ...] = ("GET",)
    elif call is None:
        return errors_response(404, ["Unknown endpoint"], fmt)
    elif request.method in ALLOWED_METHODS:
        return None
    else:
        allowed = ALLOWED_METHODS
    message = f"{request.method} is not allowed; use {' or '.join(allowed)}"
    response = errors_response(405, [message], fmt)
    response.headers["Allow"] = ", ".join(allowed)
    return response


def _asgi(endpoint: Callable[[Request], Awaitable[Response]]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await endpoint(Request(scope, receive))
        await response(scope, receive, send)

    return app


def _ping(repository: Repository) -> None:
    repository.connection.execute(text("SELECT 1"))


def _lifespan(ctx: ServiceContext) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        # The event loop's thread keeps a connection for its reads: hand it back.
        ctx.uow.release_thread_connection()

    return lifespan


def _log_unexpected(request: Request, error: Exception) -> None:
    """Type and place only: exception texts can carry SQL parameters such as hashes."""
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}" if frame else "?"
    log.error("unexpected %s at %s handling %s", type(error).__name__, where, request.url.path)
