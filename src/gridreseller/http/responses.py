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
from gridreseller.domain.models import CustomerList, CustomerView, Result
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
    second = await anext(result.more, None) if result.more is not None else None
    if second is None:
        whole = renderer.customers_start() + renderer.customers_batch(result.rows, True)
        return body_response(whole + renderer.customers_end(), renderer.MEDIA_TYPE)
    assert result.more is not None
    chunks = _customer_chunks(renderer, result.rows, second, result.more)
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
