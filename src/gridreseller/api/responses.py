"""One result, rendered in the format the path's suffix asks for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from gridreseller.api import render_json, render_xml
from gridreseller.api.problems import HttpProblem
from gridreseller.api.refusals import DENIAL_MESSAGES
from gridreseller.domain.errors import (
    DomainError,
    Forbidden,
    Invalid,
    MessageTooLarge,
    NotFound,
    Throttled,
    Unauthorized,
    Unavailable,
)
from gridreseller.domain.models import CustomerList, CustomerView, Result
from gridreseller.sending.submission import NoCredits, SenderNotAllowed

RENDERERS: dict[str, ModuleType] = {"json": render_json, "xml": render_xml}
# On every response: no content sniffing, and no caching of account data.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
_SECURITY = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]


class Answer:
    """A whole body, sent as one ASGI response.

    Starlette's Response does the same with more generality (charsets, cookies,
    background tasks) than a body of bytes needs; building it was a twentieth of
    a cached read.
    """

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, body: bytes, headers: list[tuple[bytes, bytes]], status: int) -> None:
        self.body = body
        self.headers = headers
        self.status_code = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def body_response(
    body: bytes, media_type: str, status: int = 200, headers: dict[str, str] | None = None
) -> Answer:
    raw = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", media_type.encode()),
        *_SECURITY,
    ]
    if headers:
        raw.extend(
            (name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()
        )
    return Answer(body, raw, status)


Response = Answer | StreamingResponse


async def result_response(result: Result, fmt: str) -> Response:
    """A whole body, or for a list longer than one batch, a stream of batches."""
    renderer = RENDERERS[fmt]
    if not isinstance(result, CustomerList):
        return body_response(renderer.render(result), renderer.MEDIA_TYPE)
    more = result.more
    second = await anext(more, None) if more is not None else None
    if more is None or second is None:
        whole = renderer.customers_start() + renderer.customers_batch(result.rows, True)
        return body_response(whole + renderer.customers_end(), renderer.MEDIA_TYPE)
    chunks = _customer_chunks(renderer, result.rows, second, more)
    return StreamingResponse(chunks, media_type=renderer.MEDIA_TYPE, headers=SECURITY_HEADERS)


async def _customer_chunks(
    renderer: ModuleType,
    first: list[CustomerView],
    second: list[CustomerView],
    more: AsyncIterator[list[CustomerView]],
) -> AsyncIterator[bytes]:
    """A chunk a batch, between the document's opening and its end."""
    yield renderer.customers_start() + renderer.customers_batch(first, True)
    yield renderer.customers_batch(second, False)
    async for views in more:
        yield renderer.customers_batch(views, False)
    yield renderer.customers_end()


def error_response(error: DomainError | HttpProblem, fmt: str) -> Answer:
    renderer = RENDERERS[fmt]
    status, body = _status_and_body(error, renderer)
    return body_response(body, renderer.MEDIA_TYPE, status, _error_headers(error, status))


def errors_response(
    status: int, errors: list[str], fmt: str, headers: dict[str, str] | None = None
) -> Answer:
    renderer = RENDERERS[fmt]
    return body_response(renderer.render_errors(errors), renderer.MEDIA_TYPE, status, headers)


def _error_headers(error: DomainError | HttpProblem, status: int) -> dict[str, str] | None:
    if isinstance(error, Throttled | Unavailable):
        return {"Retry-After": str(error.retry_after)}
    if status == 503:
        return {"Retry-After": "1"}
    if isinstance(error, HttpProblem) and status == 413:
        # The rest of an oversized body is not read: the connection cannot be reused.
        return {"Connection": "close"}
    return None


STATUSES: dict[type[DomainError], int] = {
    Invalid: 400,
    Unauthorized: 401,
    Throttled: 429,
    Forbidden: 403,
    NotFound: 404,
    Unavailable: 503,
    MessageTooLarge: 413,
    NoCredits: 403,
    SenderNotAllowed: 403,
}


def _status_and_body(error: DomainError | HttpProblem, renderer: ModuleType) -> tuple[int, bytes]:
    """The one table from error kinds to statuses (and the seed's bare 404 form)."""
    if isinstance(error, HttpProblem):
        return error.status, renderer.render_errors([error.message])
    status = STATUSES.get(type(error), 500)
    if isinstance(error, Invalid):
        return status, renderer.render_errors(error.errors)
    if isinstance(error, NotFound) and error.bare:
        return status, renderer.render_message(error.message)
    if isinstance(error, Forbidden):
        return status, renderer.render_errors([DENIAL_MESSAGES[error.denial]])
    return status, renderer.render_errors([str(error)])
