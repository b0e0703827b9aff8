"""Query string and form body into Params, enforcing the limits of §2."""

from __future__ import annotations

from urllib.parse import unquote_plus

from starlette.types import Message, Receive, Scope

from gridreseller.api.multipart import multipart_pairs
from gridreseller.api.problems import BodyTooLarge, HttpProblem
from gridreseller.config import Settings
from gridreseller.domain.errors import Invalid
from gridreseller.domain.params import Params

SINGLE_ONLY = ("api_user", "api_key")
Pairs = list[tuple[str, str]]


def header(scope: Scope, name: bytes) -> bytes | None:
    """A request header's value (names are lower case in ASGI)."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def declared_length(scope: Scope) -> int | None:
    raw = header(scope, b"content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


async def read_params(scope: Scope, receive: Receive, settings: Settings) -> Params:
    """The union of query and body parameters; the body wins a clash."""
    query = _decode_pairs(scope["query_string"], "query string")
    body = await _body_pairs(scope, receive, settings) if scope["method"] == "POST" else []
    if len(query) + len(body) > settings.max_parameters:
        raise Invalid([f"at most {settings.max_parameters} parameters are allowed"])
    errors = _duplicate_errors(query, "query string") + _duplicate_errors(body, "body")
    if errors:
        raise Invalid(errors)
    return _merge(query, body)


async def _body_pairs(scope: Scope, receive: Receive, settings: Settings) -> Pairs:
    content_type = (header(scope, b"content-type") or b"").decode("latin-1")
    media_type = content_type.split(";", 1)[0].strip().lower()
    body = await _read_body(_limited(receive, settings.max_body_bytes))
    if media_type == "multipart/form-data":
        return multipart_pairs(content_type, body, settings.max_parameters)
    if not body:
        return []
    if media_type not in ("application/x-www-form-urlencoded", ""):
        raise HttpProblem(
            415, "request body must be application/x-www-form-urlencoded or multipart/form-data"
        )
    return _decode_pairs(body, "request body")


def _limited(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing a body (chunked or not) once it passes the limit."""
    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise BodyTooLarge(limit)
        return message

    return limited_receive


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; nothing it sent will be answered
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _decode_pairs(raw: bytes, where: str) -> Pairs:
    try:
        return form_pairs(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Invalid([f"{where} must be percent-encoded UTF-8"]) from None


def form_pairs(text: str) -> Pairs:
    """`parse_qsl(text, keep_blank_values=True, errors="strict")`, twice as fast: a field
    is unquoted only when it has something to unquote, as most fields do not."""
    pairs: Pairs = []
    for field in text.split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        if "%" in field or "+" in field:
            name = unquote_plus(name, errors="strict")
            value = unquote_plus(value, errors="strict")
        pairs.append((name, value))
    return pairs


def _duplicate_errors(pairs: Pairs, where: str) -> list[str]:
    names = [name for name, _ in pairs if name in SINGLE_ONLY]
    return [
        f"{name} must be given only once in the {where}"
        for name in SINGLE_ONLY
        if names.count(name) > 1
    ]


def _merge(query: Pairs, body: Pairs) -> Params:
    """The body's parameters over the query string's (most requests have no query)."""
    from_body = Params.from_pairs(body)
    return Params.from_pairs(query).overridden_by(from_body) if query else from_body
