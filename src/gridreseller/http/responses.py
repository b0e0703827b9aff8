"""One result, rendered in the format the path's suffix asks for."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from starlette.responses import Response, StreamingResponse

from gridreseller.domain.errors import (
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    Unavailable,
)
from gridreseller.domain.models import CustomerList, Result
from gridreseller.http import render_json, render_xml
from gridreseller.http.problems import HttpProblem

RENDERERS: dict[str, ModuleType] = {"json": render_json, "xml": render_xml}


def result_response(result: Result, fmt: str) -> Response:
    renderer = RENDERERS[fmt]
    chunks: Iterator[bytes] = renderer.render(result)
    if isinstance(result, CustomerList):
        return StreamingResponse(chunks, media_type=renderer.MEDIA_TYPE)
    return Response(b"".join(chunks), media_type=renderer.MEDIA_TYPE)


def error_response(error: DomainError | HttpProblem, fmt: str) -> Response:
    renderer = RENDERERS[fmt]
    status, body = _status_and_body(error, renderer)
    response = Response(body, status_code=status, media_type=renderer.MEDIA_TYPE)
    if status == 503:
        response.headers["Retry-After"] = "1"
    return response


def errors_response(status: int, errors: list[str], fmt: str) -> Response:
    renderer = RENDERERS[fmt]
    return Response(
        renderer.render_errors(errors), status_code=status, media_type=renderer.MEDIA_TYPE
    )


STATUSES: dict[type[DomainError], int] = {
    Invalid: 400,
    Unauthorized: 401,
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
