"""The dashboard's cookies (docs/dashboard.md): the session's and the login form's pre-session one.

Both are `__Host-` cookies: Secure, Path=/, no Domain, so no other host or path can
set or read them; HttpOnly and SameSite=Strict besides. They carry random values
only; the session's token is looked up by its hash (services/dashboard_sessions.py).
Browser session cookies (no Max-Age): the server ends sessions by its own timeouts.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "__Host-gridreseller"
LOGIN_COOKIE = "__Host-gridreseller-login"
ATTRIBUTES = "Path=/; Secure; HttpOnly; SameSite=Strict"
# secrets.token_urlsafe(32) makes 43 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 100


def session_token(request: Request) -> str | None:
    return _cookie(request, SESSION_COOKIE)


def login_nonce(request: Request) -> str | None:
    return _cookie(request, LOGIN_COOKIE)


def set_session(response: Response, token: str) -> None:
    _set(response, SESSION_COOKIE, token)


def set_login_nonce(response: Response, nonce: str) -> None:
    _set(response, LOGIN_COOKIE, nonce)


def clear_session(response: Response) -> None:
    _clear(response, SESSION_COOKIE)


def clear_login_nonce(response: Response) -> None:
    _clear(response, LOGIN_COOKIE)


def _cookie(request: Request, name: str) -> str | None:
    value = request.cookies.get(name)
    return value if value and len(value) <= MAX_TOKEN_LENGTH else None


def _set(response: Response, name: str, value: str) -> None:
    response.headers.append("Set-Cookie", f"{name}={value}; {ATTRIBUTES}")


def _clear(response: Response, name: str) -> None:
    response.headers.append("Set-Cookie", f"{name}=; Max-Age=0; {ATTRIBUTES}")
