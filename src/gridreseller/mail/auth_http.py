"""`GET /auth/mail` (docs/smtp.md, nginx's mail proxy): nginx's mail proxy asks whether a login
may send.

nginx reads only the answer's headers, and its HTTP status not at all: every path
but a decided "may send" answers with a refusal in `Auth-Status`, never `OK`. The
shared secret is compared first, in constant time; without it no login is tried.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import re
from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from starlette.types import Receive, Scope, Send

from gridreseller.config import upstream_address
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.errors import DomainError, Unauthorized
from gridreseller.http.errors import ErrorTable, Row
from gridreseller.http.headers import client_host, headers_by_name
from gridreseller.mail.parts import AuthHttpParts
from gridreseller.mail.replies import (
    AUTH_REQUIRED,
    BAD_CREDENTIALS,
    NO_CREDITS_AT_AUTH,
    UNAVAILABLE,
    UNSUPPORTED_METHOD,
    UNSUPPORTED_PROTOCOL,
    Reply,
    auth_refusal,
)
from gridreseller.services import credits
from gridreseller.unexpected import log_unexpected

log = logging.getLogger("gridreseller.mail")
PATH = "/auth/mail"
SECRET_HEADER = "x-gridreseller-secret"  # noqa: S105 - a header name
METHODS = frozenset({"plain", "login"})
PROTOCOLS = frozenset({"smtp", "submission"})
# nginx's Auth-Wait: seconds before the client may try again on the same connection.
RETRY_WAIT = "2"
RETRIES_WITH_WAIT = 3
ATTEMPT = re.compile(r"[0-9]{1,9}")
NO_STORE = (b"cache-control", b"no-store")
METHOD_NOT_ALLOWED = [(b"allow", b"GET, HEAD"), (b"content-type", b"text/plain; charset=utf-8")]
# auth_http's table: a login that did not succeed answers, in its headers, with the
# embedded server's AUTH reply (mail/replies.py); nginx reads no status, always 200.
ERRORS: ErrorTable[Reply] = ErrorTable({DomainError: Row(200, auth_refusal)})


def endpoint(parts: AuthHttpParts) -> AuthHttp | None:
    """The endpoint when configured; without it /auth/mail is a 404 like any unknown path."""
    settings = parts.settings
    if not settings.mail_auth_enabled:
        if settings.mail_auth_secret or settings.mail_upstream:
            log.warning(
                "/auth/mail is off: it needs both GRIDRESELLER_MAIL_AUTH_SECRET and "
                "GRIDRESELLER_MAIL_UPSTREAM"
            )
        return None
    return AuthHttp(parts)


class AuthHttp:
    """A bare ASGI callable rather than a Starlette route: nginx asks once per mail
    login, and a router, two middleware layers and a Response object were a fifth of
    a cached decision's cost."""

    def __init__(self, parts: AuthHttpParts) -> None:
        self.identity = parts.identity
        self.services = parts.services
        self.secret = parts.settings.mail_auth_secret.encode()
        server, port = upstream_address(parts.settings.mail_upstream)
        self.admitted = {"Auth-Status": "OK", "Auth-Server": server, "Auth-Port": str(port)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await _send(send, 405, METHOD_NOT_ALLOWED, b"Method Not Allowed")
            return
        headers = headers_by_name(scope)
        presented = headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(presented, self.secret):
            await _send(send, 403, [NO_STORE])
            return
        try:
            answer = await self._decide(headers, client_host(scope))
        except Exception as error:  # noqa: BLE001 - any failure is a refusal, never OK
            log_unexpected(log, error, PATH)
            answer = _refusal(UNAVAILABLE)
        encoded = [
            (name.lower().encode(), value.encode("latin-1")) for name, value in answer.items()
        ]
        await _send(send, 200, [*encoded, NO_STORE])

    async def _decide(self, headers: Mapping[str, str], peer: str) -> dict[str, str]:
        refused = _unsupported(headers)
        if refused is not None:
            return _refusal(refused)
        username, password = _credential(headers, "auth-user"), _credential(headers, "auth-pass")
        try:
            if username is None or password is None:  # not UTF-8: matches no login
                raise Unauthorized()
            client = _client_ip(headers, peer)
            principal = await self.identity.authenticate(
                username, password, client, Purpose.SEND_MAIL
            )
        except DomainError as error:
            refusal = ERRORS.refusal(error)
            assert refusal is not None  # the table has a row for DomainError
            return _refusal(refusal.said, _attempt(headers))
        # docs/api.md, sending credits: nginx hands the session over whole, so credits are
        # judged at login.
        customer = principal.customer_id
        if customer is not None and not await credits.has_credit(self.services, customer):
            return _refusal(NO_CREDITS_AT_AUTH)
        return self._admitted(principal)

    def _admitted(self, principal: Principal) -> dict[str, str]:
        # Header values go out as latin-1: this puts the name's UTF-8 bytes on the wire.
        user = principal.username.encode().decode("latin-1")
        return {**self.admitted, "Auth-User": user}


def decode_escaped(raw: str) -> str | None:
    """An Auth-User or Auth-Pass value: nginx %XX-escapes only space, `%` and control
    bytes and sends the rest as raw UTF-8 (so not unquote_plus: `+` is a plus)."""
    try:
        return unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        return None


def _credential(headers: Mapping[str, str], name: str) -> str | None:
    return decode_escaped(headers.get(name, ""))


def _unsupported(headers: Mapping[str, str]) -> Reply | None:
    """What nginx asks that is no SMTP login by password (refused before any lookup)."""
    if headers.get("auth-protocol", "").lower() not in PROTOCOLS:
        return UNSUPPORTED_PROTOCOL
    method = headers.get("auth-method", "").lower()
    if method == "none":  # `smtp_auth none`: a client that did not authenticate
        return AUTH_REQUIRED
    return None if method in METHODS else UNSUPPORTED_METHOD


def _refusal(reply: Reply, attempt: int | None = None) -> dict[str, str]:
    headers = {"Auth-Status": reply.text, "Auth-Error-Code": reply.error_code}
    if reply == BAD_CREDENTIALS and attempt is not None and attempt < RETRIES_WITH_WAIT:
        headers["Auth-Wait"] = RETRY_WAIT
    return headers


def _attempt(headers: Mapping[str, str]) -> int:
    """nginx's count of tries on this connection; anything but ASCII digits (`isdigit`
    also takes `\xb3`, which `int` refuses) counts as the first."""
    raw = headers.get("auth-login-attempt", "1").strip()
    return int(raw) if ATTEMPT.fullmatch(raw) else 1


def _client_ip(headers: Mapping[str, str], peer: str) -> str:
    """Client-IP, trusted because the secret matched; nginx's own address without it."""
    return _normalized_address(headers.get("client-ip", "").strip()) or peer


@functools.lru_cache(maxsize=4096)
def _normalized_address(raw: str) -> str | None:
    """An address in its canonical spelling (mail clients come back: remembered)."""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


async def _send(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> None:
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": status, "headers": [*headers, length]})
    await send({"type": "http.response.body", "body": body})
