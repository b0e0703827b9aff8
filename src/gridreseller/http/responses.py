"""One result, rendered in the format the path's suffix asks for."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
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
from gridreseller.domain.models import Result
from gridreseller.http import render_json, render_xml
from gridreseller.http.problems import HttpProblem

RENDERERS: dict[str, ModuleType] = {"json": render_json, "xml": render_xml}
STREAM_BATCH_BYTES = 64 * 1024


def result_response(result: Result, fmt: str) -> Response:
    """A whole body when it fits in one batch; a stream of batches otherwise.

    Runs in a worker thread: it pulls the first batch from the database itself,
    so a short list costs no extra thread hops.
    """
    renderer = RENDERERS[fmt]
    batches = _batched(renderer.render(result))
    first = next(batches, b"")
    second = next(batches, None)
    if second is None:
        return Response(first, media_type=renderer.MEDIA_TYPE)
    return StreamingResponse(chain((first, second), batches), media_type=renderer.MEDIA_TYPE)


def _batched(chunks: Iterator[bytes]) -> Iterator[bytes]:
    pending: list[bytes] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= STREAM_BATCH_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


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
