"""Calling the /v3 surface in the HTTP tests: Basic and Bearer logins, keys made over
HTTP, and SendGrid's error shape read back."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.api.mail_support import MailServer
from tests.factories import Account

GRANT_INVALID = "The provided authorization grant is invalid, expired, or revoked"
FORBIDDEN = {"errors": [{"field": None, "message": "access forbidden"}]}
UNAUTHORIZED = {"errors": [{"field": None, "message": GRANT_INVALID}]}


def basic(account: Account) -> dict[str, str]:
    pair = f"{account.username}:{account.password}".encode()
    return {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def v3(
    server: MailServer,
    method: str,
    path: str,
    login: dict[str, str] | None = None,
    body: Any = None,
    **headers: str,
) -> httpx.Response:
    """One call; `body` sent as JSON when given."""
    extra = {name.replace("_", "-"): value for name, value in headers.items()}
    return server.client.request(
        method, f"/v3/{path}", json=body, headers={**(login or {}), **extra}
    )


def new_key(server: MailServer, account: Account, name: str = "main", **body: Any) -> str:
    """A key of `account`, made with its password (every scope unless `scopes`)."""
    response = v3(server, "POST", "api_keys", basic(account), {"name": name, **body})
    assert response.status_code == 201, response.text
    return str(response.json()["api_key"])


def key_id(key: str) -> str:
    return key.split(".")[1]


def problem(field: str | None, message: str) -> dict[str, Any]:
    return {"errors": [{"field": field, "message": message}]}
