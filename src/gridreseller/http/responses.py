"""One result, rendered in the format the path's suffix asks for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType

from starlette.responses import Response, StreamingResponse

from gridreseller.domain.errors import (
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Throttled,
    Unauthorized,
    Unavailable,
)
from gridreseller.domain.models import CustomerList, Result
from gridreseller.http import render_json, render_xml
from gridreseller.http.problems import HttpProblem

RENDERERS: dict[str, ModuleType] = {"json": render_json, "xml": render_xml}
# On every response: no content sniffing, and no caching of account data.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def body_response(
    body: bytes, media_type: str, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        body,
        status_code=status,
        media_type=media_type,
        headers={**SECURITY_HEADERS, **headers} if headers else SECURITY_HEADERS,
    )


async def result_response(result: Result, fmt: str) -> Response:
    """A whole body, or for a list longer than one batch, a stream of batches."""
    renderer = RENDERERS[fmt]
    if not isinstance(result, CustomerList):
        return body_response(renderer.render(result), renderer.MEDIA_TYPE)
    chunks = _customer_chunks(result, renderer)
    first = await anext(chunks)
    second = await anext(chunks, None)
    if second is None:
        return body_response(first, renderer.MEDIA_TYPE)
    return StreamingResponse(
        _chained(first, second, chunks), media_type=renderer.MEDIA_TYPE, headers=SECURITY_HEADERS
    )


async def _customer_chunks(result: CustomerList, renderer: ModuleType) -> AsyncIterator[bytes]:
    """A chunk a batch: the document's opening goes with the first, its end with the last."""
    chunk = renderer.customers_start()
    first = True
    async for views in result.batches:
        if not views:
            continue
        if not first:
            yield chunk
            chunk = b""
        chunk += renderer.customers_batch(views, first)
        first = False
    yield chunk + renderer.customers_end()


async def _chained(first: bytes, second: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    yield second
    async for chunk in rest:
        yield chunk


def error_response(error: DomainError | HttpProblem, fmt: str) -> Response:
    renderer = RENDERERS[fmt]
    status, body = _status_and_body(error, renderer)
    return body_response(body, renderer.MEDIA_TYPE, status, _error_headers(error, status))


def errors_response(
    status: int, errors: list[str], fmt: str, headers: dict[str, str] | None = None
) -> Response:
    renderer = RENDERERS[fmt]
    return body_response(renderer.render_errors(errors), renderer.MEDIA_TYPE, status, headers)


def _error_headers(error: DomainError | HttpProblem, status: int) -> dict[str, str] | None:
    if isinstance(error, Throttled):
        return {"Retry-After": str(error.retry_after)}
    if status == 503:
        return {"Retry-After": "1"}
    if status == 413:
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
    return status, renderer.render_errors([str(error)])
