"""A request's headers and peer, read from the ASGI scope (names are lower case there)."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header, as Starlette's `Headers.get` gives."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def headers_by_name(scope: Scope) -> dict[str, str]:
    """Every header by (lower-case) name, the first of repeated ones; latin-1 text, so
    any byte survives (nginx's auth_http sends raw UTF-8)."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        found.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return found


def declared_length(scope: Scope) -> int | None:
    """Content-Length, when the request gives a number."""
    raw = header(scope, b"content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def media_type(scope: Scope) -> tuple[str, str]:
    """The media type in lower case, without parameters, and the whole Content-Type."""
    content_type = (header(scope, b"content-type") or b"").decode("latin-1")
    return content_type.split(";", 1)[0].strip().lower(), content_type


def authorization(scope: Scope) -> tuple[str, str]:
    """(scheme in lower case, credentials) of the Authorization header; ("", "") if none."""
    value = header(scope, b"authorization")
    if value is None:
        return "", ""
    scheme, _, credentials = value.decode("latin-1").strip().partition(" ")
    return scheme.lower(), credentials.strip()


def bearer(scope: Scope) -> str | None:
    """The token of `Authorization: Bearer ...`, if the request has one."""
    scheme, credentials = authorization(scope)
    return credentials if scheme == "bearer" else None


def client_host(scope: Scope) -> str:
    """The peer's address (after X-Forwarded-For, where asgi.py trusts it), or "-"."""
    client = scope.get("client")
    return str(client[0]) if client else "-"


def routed_path(scope: Scope) -> str:
    """The path as sent, not percent-decoded: `/api/credentials%2Fget.json` names no
    call, so a proxy's rule on paths cannot be sidestepped by encoding a slash."""
    raw: bytes | None = scope.get("raw_path")
    return raw.decode("latin-1") if raw else str(scope["path"])
