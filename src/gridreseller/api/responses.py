"""One result, rendered in the format the path's suffix asks for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType

from starlette.responses import StreamingResponse

from gridreseller.api import render_json, render_xml
from gridreseller.api.refusals import DENIAL_MESSAGES
from gridreseller.domain.api_keys import MissingScope
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
from gridreseller.http.answers import SECURITY_HEADERS, Answer, body_response
from gridreseller.http.errors import ErrorTable, Row
from gridreseller.http.problems import HttpProblem
from gridreseller.sending.submission import NoCredits, SenderNotAllowed

RENDERERS: dict[str, ModuleType] = {"json": render_json, "xml": render_xml}
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
    refusal = ERRORS.refusal(error)
    assert refusal is not None  # the table has a row for DomainError and HttpProblem
    said = refusal.said
    body = renderer.render_message(said) if isinstance(said, str) else renderer.render_errors(said)
    return body_response(body, renderer.MEDIA_TYPE, refusal.status, refusal.headers)


def errors_response(
    status: int, errors: list[str], fmt: str, headers: dict[str, str] | None = None
) -> Answer:
    renderer = RENDERERS[fmt]
    return body_response(renderer.render_errors(errors), renderer.MEDIA_TYPE, status, headers)


# What the API says: its `errors` list, or (a str) the seed's bare `{"message": ...}`.
Said = list[str] | str


def _own_words(error: DomainError) -> Said:
    return [str(error)]


def _not_found(error: NotFound) -> Said:
    """enable/disable/website_enable/website_disable answer in the seed's bare form."""
    return error.message if error.bare else [error.message]


# The API's table from error kinds to statuses and words (docs/api.md, "Errors").
ERRORS: ErrorTable[Said] = ErrorTable(
    {
        Invalid: Row(400, lambda error: error.errors),
        Unauthorized: Row(401, _own_words),
        Forbidden: Row(403, lambda error: [DENIAL_MESSAGES[error.denial]]),
        NoCredits: Row(403, _own_words),
        SenderNotAllowed: Row(403, _own_words),
        MissingScope: Row(403, _own_words),
        NotFound: Row(404, _not_found),
        MessageTooLarge: Row(413, _own_words),
        Throttled: Row(429, _own_words),
        Unavailable: Row(503, _own_words),
        DomainError: Row(500, _own_words),
        HttpProblem: Row(None, lambda problem: [problem.message]),
    }
)
