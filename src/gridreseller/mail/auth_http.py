"""`GET /auth/mail` (§11.2): nginx's mail proxy asks whether a login may send.

nginx reads only the answer's headers, and its HTTP status not at all: every path
but a decided "may send" answers with a refusal in `Auth-Status`, never `OK`. The
shared secret is compared first, in constant time; without it no login is tried.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gridreseller.bootstrap import Container
from gridreseller.config import upstream_address
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.errors import DomainError, Unauthorized
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

log = logging.getLogger("gridreseller.mail")
PATH = "/auth/mail"
SECRET_HEADER = "x-gridreseller-secret"  # noqa: S105 - a header name
METHODS = frozenset({"plain", "login"})
PROTOCOLS = frozenset({"smtp", "submission"})
# nginx's Auth-Wait: seconds before the client may try again on the same connection.
RETRY_WAIT = "2"
RETRIES_WITH_WAIT = 3
NO_STORE = {"Cache-Control": "no-store"}


def routes(container: Container) -> list[BaseRoute]:
    """The route when configured; without it /auth/mail is a 404 like any unknown path."""
    settings = container.settings
    if not settings.mail_auth_enabled:
        if settings.mail_auth_secret or settings.mail_upstream:
            log.warning(
                "/auth/mail is off: it needs both GRIDRESELLER_MAIL_AUTH_SECRET and "
                "GRIDRESELLER_MAIL_UPSTREAM"
            )
        return []
    return [Route(PATH, AuthHttp(container).answer, methods=["GET"])]


class AuthHttp:
    def __init__(self, container: Container) -> None:
        self.identity = container.identity
        self.services = container.services
        self.secret = container.settings.mail_auth_secret.encode()
        server, port = upstream_address(container.settings.mail_upstream)
        self.admitted = {"Auth-Status": "OK", "Auth-Server": server, "Auth-Port": str(port)}

    async def answer(self, request: Request) -> Response:
        presented = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(presented, self.secret):
            return Response(status_code=403, headers=NO_STORE)
        try:
            headers = await self._decide(request.headers, _peer(request))
        except Exception as error:  # noqa: BLE001 - any failure is a refusal, never OK
            log.error("/auth/mail could not be decided: %s", type(error).__name__)
            headers = _refusal(UNAVAILABLE)
        return Response(status_code=200, headers={**headers, **NO_STORE})

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
            return _refusal(auth_refusal(error), _attempt(headers))
        # §13: nginx hands the session over whole, so credits are judged at login.
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
    raw = headers.get("auth-login-attempt", "1").strip()
    return int(raw) if raw.isdigit() else 1


def _client_ip(headers: Mapping[str, str], peer: str) -> str:
    """Client-IP, trusted because the secret matched; nginx's own address without it."""
    raw = headers.get("client-ip", "").strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return peer


def _peer(request: Request) -> str:
    return request.client.host if request.client else "-"
