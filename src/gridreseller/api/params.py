"""Query string and form body into Params, enforcing the limits of docs/api.md."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from starlette.types import Receive, Scope

from gridreseller.api.legacy.params import Params
from gridreseller.api.mail_form import mail_params, urlencoded_raw_pairs
from gridreseller.api.multipart import multipart_pairs, multipart_raw_pairs
from gridreseller.config import Settings
from gridreseller.domain.errors import Invalid
from gridreseller.http.body import mail_body_limit, read_body
from gridreseller.http.headers import media_type
from gridreseller.http.problems import HttpProblem

SINGLE_ONLY = ("api_user", "api_key")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "")
Pairs = list[tuple[str, str]]
# mail.send carries a message: 1,000 recipients with their names, and attachments.
MAIL_MAX_PARAMETERS = 5000


@dataclass(frozen=True)
class FormRules:
    """How large a call's request may be, and how its form is read."""

    max_body_bytes: int
    max_parameters: int
    # mail.send's form (api/mail_form.py): array spellings and uploads as bytes.
    mail_form: bool = False

    @classmethod
    def standard(cls, settings: Settings) -> FormRules:
        return cls(settings.max_body_bytes, settings.max_parameters)

    @classmethod
    def mail(cls, settings: Settings) -> FormRules:
        return cls(mail_body_limit(settings), MAIL_MAX_PARAMETERS, mail_form=True)


async def read_params(scope: Scope, receive: Receive, rules: FormRules) -> Params:
    """The union of query and body parameters; the body wins a clash."""
    if rules.mail_form:
        return await _read_mail_params(scope, receive, rules)
    query = _decode_pairs(scope["query_string"], "query string")
    body = await _body_pairs(scope, receive, rules) if scope["method"] == "POST" else []
    _check_counts(query, body, rules)
    return _merge(query, body)


async def _read_mail_params(scope: Scope, receive: Receive, rules: FormRules) -> Params:
    query = urlencoded_raw_pairs(scope["query_string"])
    body = await _body_raw_pairs(scope, receive, rules) if scope["method"] == "POST" else []
    _check_counts(query, body, rules)
    from_body = mail_params(list(body))
    return mail_params(list(query)).overridden_by(from_body) if query else from_body


def _check_counts(
    query: list[tuple[str, str]] | list[tuple[str, bytes]],
    body: list[tuple[str, str]] | list[tuple[str, bytes]],
    rules: FormRules,
) -> None:
    if len(query) + len(body) > rules.max_parameters:
        raise Invalid([f"at most {rules.max_parameters} parameters are allowed"])
    errors = _duplicate_errors(query, "query string") + _duplicate_errors(body, "body")
    if errors:
        raise Invalid(errors)


async def _body_pairs(scope: Scope, receive: Receive, rules: FormRules) -> Pairs:
    media_type, content_type, body = await _body(scope, receive, rules)
    if media_type == "multipart/form-data":
        return multipart_pairs(content_type, body, rules.max_parameters)
    return _decode_pairs(body, "request body") if body else []


async def _body_raw_pairs(
    scope: Scope, receive: Receive, rules: FormRules
) -> list[tuple[str, bytes]]:
    media_type, content_type, body = await _body(scope, receive, rules)
    if media_type == "multipart/form-data":
        return multipart_raw_pairs(content_type, body, rules.max_parameters)
    return urlencoded_raw_pairs(body)


async def _body(scope: Scope, receive: Receive, rules: FormRules) -> tuple[str, str, bytes]:
    """The media type, the whole Content-Type and the body, or 413/415."""
    media, content_type = media_type(scope)
    body = await read_body(receive, rules.max_body_bytes)
    if body and media not in FORM_TYPES:
        raise HttpProblem(
            415, "request body must be application/x-www-form-urlencoded or multipart/form-data"
        )
    return media, content_type, body


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


def _duplicate_errors(
    pairs: list[tuple[str, str]] | list[tuple[str, bytes]], where: str
) -> list[str]:
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
