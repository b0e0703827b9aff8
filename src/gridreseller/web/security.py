"""The dashboard's response headers, and its refusal of cross-site POSTs (docs/dashboard.md)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Every answer under /dashboard/ (pages, redirects, the stylesheet, errors) carries these.
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    # Page addresses name customers (?user=...): they never leave in a Referer.
    "Referrer-Policy": "same-origin",
    # frame-ancestors for browsers that predate it.
    "X-Frame-Options": "DENY",
}
# A browser's own fetches: Sec-Fetch-Site says where the request was started.
ACCEPTED_FETCH_SITES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


class SecurityHeaders:
    """ASGI middleware: SECURITY_HEADERS on every response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def comes_from_elsewhere(headers: Mapping[str, str], scheme: str) -> bool:
    """docs/dashboard.md: a POST whose Sec-Fetch-Site is not same-origin (or none: typed by the
    user),
    or whose Origin is not this server's own (`null` included), comes from another
    site. Neither header (not a browser): judged by its token alone."""
    site = headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in ACCEPTED_FETCH_SITES:
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    own = own_origin(headers.get("host"), scheme)
    return own is None or _normal_origin(origin) != own


def own_origin(host: str | None, scheme: str) -> str | None:
    """This server's origin as the request addressed it (scheme and Host header);
    behind a proxy, the proxy passes Host and the scheme (X-Forwarded-Proto)."""
    if not host:
        return None
    return _normal_origin(f"{scheme}://{host}")


def _normal_origin(origin: str) -> str:
    """Lower case, without the scheme's default port."""
    text = origin.strip().lower()
    scheme, separator, rest = text.partition("://")
    if not separator:
        return text
    default = DEFAULT_PORTS.get(scheme)
    if default and rest.endswith(":" + default):
        rest = rest[: -len(default) - 1]
    return f"{scheme}://{rest}"
