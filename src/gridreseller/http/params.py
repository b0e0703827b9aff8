"""Query string and form body into Params, enforcing the limits of §2."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request

from gridreseller.config import Settings
from gridreseller.domain.errors import Invalid
from gridreseller.domain.params import Params
from gridreseller.http.problems import HttpProblem

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SINGLE_ONLY = ("api_user", "api_key")


async def read_params(request: Request, settings: Settings) -> Params:
    """The union of query and body parameters; the body wins a clash."""
    query = _decode_pairs(request.scope.get("query_string", b""), "query string")
    body = await _body_pairs(request, settings) if request.method == "POST" else []
    if len(query) + len(body) > settings.max_parameters:
        raise Invalid([f"at most {settings.max_parameters} parameters are allowed"])
    errors = _duplicate_errors(query, "query string") + _duplicate_errors(body, "body")
    if errors:
        raise Invalid(errors)
    return _merge(query, body)


async def _body_pairs(request: Request, settings: Settings) -> list[tuple[str, str]]:
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "multipart/form-data":
        return await _multipart_pairs(request, settings)
    body = await request.body()
    if not body:
        return []
    if media_type not in ("application/x-www-form-urlencoded", ""):
        raise HttpProblem(
            415, "request body must be application/x-www-form-urlencoded or multipart/form-data"
        )
    return _decode_pairs(body, "request body")


async def _multipart_pairs(request: Request, settings: Settings) -> list[tuple[str, str]]:
    limit = settings.max_parameters + 1
    try:
        form = await request.form(max_files=limit, max_fields=limit)
    except HttpProblem:
        raise
    except Exception:  # noqa: BLE001 - python-multipart signals every malformed body this way
        raise Invalid(["request body is not valid multipart/form-data"]) from None
    pairs: list[tuple[str, str]] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            try:
                pairs.append((name, data.decode("utf-8")))
            except UnicodeDecodeError:
                raise Invalid([f"{name} must be UTF-8 text"]) from None
        else:
            pairs.append((name, value))
    await form.close()
    return pairs


def _decode_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Invalid([f"{where} must be percent-encoded UTF-8"]) from None


def _duplicate_errors(pairs: Iterable[tuple[str, str]], where: str) -> list[str]:
    counts = Counter(name for name, _ in pairs)
    return [
        f"{name} must be given only once in the {where}" for name in SINGLE_ONLY if counts[name] > 1
    ]


def _merge(query: list[tuple[str, str]], body: list[tuple[str, str]]) -> Params:
    values: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    for source in (query, body):
        seen_arrays: dict[str, list[str]] = {}
        for name, value in source:
            if name.endswith("[]"):
                seen_arrays.setdefault(name[:-2], []).append(value)
            else:
                values[name] = value
        arrays.update(seen_arrays)  # the body's array replaces the query's
    return Params(values=values, arrays=arrays)
