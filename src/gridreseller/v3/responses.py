"""The v3 surface's answers: JSON, and SendGrid's error shape
`{"errors": [{"field": ..., "message": ...}]}` (`field` null when none)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from gridreseller.domain.api_keys import MissingScope, TooManyKeys
from gridreseller.domain.errors import (
    DomainError,
    Forbidden,
    Invalid,
    MessageTooLarge,
    NotFound,
    Problem,
    Throttled,
    Unauthorized,
    Unavailable,
)
from gridreseller.http.answers import RAW_SECURITY_HEADERS, Answer, body_response
from gridreseller.http.errors import ErrorTable, Row
from gridreseller.http.problems import HttpProblem
from gridreseller.identity.on_behalf import NotOwnCustomer
from gridreseller.sending.submission import NoCredits, SenderNotAllowed

JSON = "application/json"
GRANT_INVALID = "The provided authorization grant is invalid, expired, or revoked"
ACCESS_FORBIDDEN = "access forbidden"
NOT_FOUND = "resource not found"
SENDER_NOT_ALLOWED = "The from address is not allowed for this account"


def json_response(
    document: object, status: int = 200, headers: dict[str, str] | None = None
) -> Answer:
    body = json.dumps(document, separators=(",", ":")).encode()
    return body_response(body, JSON, status, headers)


def empty_response(status: int, headers: Mapping[str, str] | None = None) -> Answer:
    """No body at all (202 of a sent message, 204 of a deleted key)."""
    given = (headers or {}).items()
    raw = [(name.lower().encode(), value.encode("latin-1")) for name, value in given]
    if status != 204:  # a 204 carries no Content-Length (RFC 9110)
        raw.append((b"content-length", b"0"))
    return Answer(b"", [*RAW_SECURITY_HEADERS, *raw], status)


def errors_response(
    status: int, problems: Sequence[Problem], headers: dict[str, str] | None = None
) -> Answer:
    errors = [{"field": p.field, "message": p.message} for p in problems]
    return json_response({"errors": errors}, status, headers)


def error_response(error: DomainError | HttpProblem) -> Answer:
    refusal = ERRORS.refusal(error)
    assert refusal is not None  # the table has a row for DomainError and HttpProblem
    return errors_response(refusal.status, refusal.said, refusal.headers)


def _saying(message: str) -> Row[list[Problem]]:
    return Row(403, lambda _error: [Problem(None, message)])


def _own_words(error: DomainError) -> list[Problem]:
    message = error.message if isinstance(error, NotFound | Unavailable) else str(error)
    return [Problem(None, message)]


# The v3 surface's table from error kinds to statuses and words: the error's own
# message, but a refusal tells nothing of why (not which account, nor its state).
ERRORS: ErrorTable[list[Problem]] = ErrorTable(
    {
        Invalid: Row(400, lambda error: error.problems),
        Unauthorized: Row(401, lambda _error: [Problem(None, GRANT_INVALID)]),
        Forbidden: _saying(ACCESS_FORBIDDEN),
        MissingScope: _saying(ACCESS_FORBIDDEN),
        NotOwnCustomer: _saying(ACCESS_FORBIDDEN),
        TooManyKeys: Row(403, _own_words),
        NoCredits: Row(403, _own_words),
        # The v3 body names its sender `from.email`.
        SenderNotAllowed: Row(403, lambda _error: [Problem("from.email", SENDER_NOT_ALLOWED)]),
        NotFound: Row(404, _own_words),
        MessageTooLarge: Row(413, _own_words),
        Throttled: Row(429, _own_words),
        Unavailable: Row(503, _own_words),
        DomainError: Row(500, _own_words),
        HttpProblem: Row(None, lambda problem: [Problem(None, problem.message)]),
    }
)
