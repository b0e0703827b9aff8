"""Synchronizer tokens for the dashboard's forms (docs/dashboard.md), two kinds.

- A session's forms carry the session's own random secret (kept in its database
  row), masked with a fresh one-time pad at every render, so that no two pages
  repeat the token's bytes (compression side channels such as BREACH learn nothing).
- The login form has no session yet. It carries HMAC(key, nonce, issued), where the
  nonce is the random value of a pre-session cookie and the key is made once and
  kept in the database: any process verifies a form another rendered, and showing
  the login page writes nothing.

The Starlette CSRF libraries do not fit plain HTML forms (one reads the token only
from a header, the other skips requests that carry no cookie), hence this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

# The hidden field every form carries (docs/dashboard.md).
FIELD = "csrf_token"


def new_nonce() -> str:
    """The pre-session cookie's value: 256 random bits."""
    return secrets.token_urlsafe(32)


def is_nonce(value: str | None) -> bool:
    """A value that new_nonce could have made (so a cookie is reused, never trusted blindly)."""
    return value is not None and len(value) == 43 and _urlsafe(value)


def mask(secret: str) -> str:
    """The session's secret under a fresh one-time pad: pad + (pad XOR secret)."""
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    return _encode(pad + _xor(pad, raw))


def matches_session(secret: str, token: str | None) -> bool:
    """Whether a submitted token is the session's secret under some pad."""
    if not token:
        return False
    try:
        masked = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return False
    raw = secret.encode()
    if len(masked) != 2 * len(raw):
        return False
    pad, hidden = masked[: len(raw)], masked[len(raw) :]
    return hmac.compare_digest(_xor(pad, hidden), raw)


def login_token(key: bytes, nonce: str, issued: int) -> str:
    """The login form's token for this pre-session nonce, issued at `issued` (epoch s)."""
    return f"{issued}.{_login_mac(key, nonce, issued)}"


def matches_login(key: bytes, nonce: str | None, token: str | None, now: int, max_age: int) -> bool:
    """Whether a login form's token belongs to this nonce and is at most max_age old."""
    if not is_nonce(nonce) or not token:
        return False
    issued_text, _, mac = token.partition(".")
    if not issued_text.isascii() or not issued_text.isdigit() or len(issued_text) > 12:
        return False
    issued = int(issued_text)
    assert nonce is not None
    fresh = 0 <= now - issued <= max_age
    # Bytes: compare_digest refuses str with non-ASCII characters.
    expected = _login_mac(key, nonce, issued).encode()
    return hmac.compare_digest(mac.encode(), expected) and fresh


def _login_mac(key: bytes, nonce: str, issued: int) -> str:
    message = f"dashboard-login\x00{nonce}\x00{issued}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _urlsafe(value: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
