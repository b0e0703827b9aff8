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


async def result_response(result: Result, fmt: str) -> Response:
    """A whole body, or for a list longer than one batch, a stream of batches."""
    renderer = RENDERERS[fmt]
    if not isinstance(result, CustomerList):
        return Response(renderer.render(result), media_type=renderer.MEDIA_TYPE)
    chunks = _customer_chunks(result, renderer)
    first = await anext(chunks)
    second = await anext(chunks, None)
    if second is None:
        return Response(first, media_type=renderer.MEDIA_TYPE)
    return StreamingResponse(_chained(first, second, chunks), media_type=renderer.MEDIA_TYPE)


async def _customer_chunks(result: CustomerList, renderer: ModuleType) -> AsyncIterator[bytes]:
    """The document's opening with the first batch, one chunk a batch, then its end."""
    pending = renderer.customers_start()
    first = True
    async for views in result.batches:
        if views:
            yield pending + renderer.customers_batch(views, first)
            pending, first = b"", False
    yield pending + renderer.customers_end()


async def _chained(first: bytes, second: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    yield second
    async for chunk in rest:
        yield chunk


def error_response(error: DomainError | HttpProblem, fmt: str) -> Response:
    renderer = RENDERERS[fmt]
    status, body = _status_and_body(error, renderer)
    response = Response(body, status_code=status, media_type=renderer.MEDIA_TYPE)
    if status == 503:
        response.headers["Retry-After"] = "1"
    if isinstance(error, Throttled):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def errors_response(status: int, errors: list[str], fmt: str) -> Response:
    renderer = RENDERERS[fmt]
    return Response(
        renderer.render_errors(errors), status_code=status, media_type=renderer.MEDIA_TYPE
    )


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
