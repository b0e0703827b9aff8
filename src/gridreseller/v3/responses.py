"""The v3 surface's answers: JSON, and SendGrid's error shape
`{"errors": [{"field": ..., "message": ...}]}` (`field` null when none)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from gridreseller.api.problems import HttpProblem
from gridreseller.api.responses import SECURITY_HEADERS, Answer, body_response
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
from gridreseller.identity.on_behalf import NotOwnCustomer
from gridreseller.sending.submission import NoCredits, SenderNotAllowed

JSON = "application/json"
GRANT_INVALID = "The provided authorization grant is invalid, expired, or revoked"
ACCESS_FORBIDDEN = "access forbidden"
NOT_FOUND = "resource not found"
_SECURITY = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

# One table from error kinds to statuses; the message is the error's own unless
# WORDS says otherwise (a refusal tells nothing of why: not which account, nor state).
STATUSES: Mapping[type[DomainError], int] = {
    Invalid: 400,
    Unauthorized: 401,
    Forbidden: 403,
    MissingScope: 403,
    NotOwnCustomer: 403,
    TooManyKeys: 403,
    NoCredits: 403,
    SenderNotAllowed: 403,
    NotFound: 404,
    MessageTooLarge: 413,
    Throttled: 429,
    Unavailable: 503,
}
SENDER_NOT_ALLOWED = "The from address is not allowed for this account"
WORDS: Mapping[type[DomainError], str] = {
    Unauthorized: GRANT_INVALID,
    Forbidden: ACCESS_FORBIDDEN,
    MissingScope: ACCESS_FORBIDDEN,
    NotOwnCustomer: ACCESS_FORBIDDEN,
}


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
    return Answer(b"", [*_SECURITY, *raw], status)


def errors_response(
    status: int, problems: Sequence[Problem], headers: dict[str, str] | None = None
) -> Answer:
    errors = [{"field": p.field, "message": p.message} for p in problems]
    return json_response({"errors": errors}, status, headers)


def error_response(error: DomainError | HttpProblem) -> Answer:
    if isinstance(error, HttpProblem):
        headers = {"Connection": "close"} if error.status == 413 else None
        return errors_response(error.status, [Problem(None, error.message)], headers)
    status = STATUSES.get(type(error), 500)
    if isinstance(error, Invalid):
        return errors_response(400, error.problems)
    if isinstance(error, SenderNotAllowed):  # the v3 body names its sender `from.email`
        return errors_response(403, [Problem("from.email", SENDER_NOT_ALLOWED)])
    message = WORDS.get(type(error)) or _message(error)
    headers = None
    if isinstance(error, Throttled | Unavailable):
        headers = {"Retry-After": str(error.retry_after)}
    return errors_response(status, [Problem(None, message)], headers)


def _message(error: DomainError) -> str:
    if isinstance(error, NotFound | Unavailable):
        return error.message
    return str(error)
