"""Two `serve` processes on one database (docs/api.md, "The v3 API"): a key deleted or
narrowed through one is refused by the other at its very next request, although that
one had just admitted it."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import new_database
from tests.support import RESELLER, seed_reseller, serve_process

pytestmark = pytest.mark.slow
GRANT_INVALID = "The provided authorization grant is invalid, expired, or revoked"


@pytest.fixture(scope="module")
def two_servers(backend: str, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    database_url = new_database(backend, request)
    seed_reseller(database_url)
    with serve_process(database_url) as (a, _pa), serve_process(database_url) as (b, _pb):
        yield a, b


def _basic() -> dict[str, str]:
    pair = f"{RESELLER['api_user']}:{RESELLER['api_key']}".encode()
    return {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}


def _new_key(url: str, name: str) -> dict[str, str]:
    made = httpx.post(f"{url}/v3/api_keys", json={"name": name}, headers=_basic(), timeout=30)
    assert made.status_code == 201, made.text
    return {"api_key": made.json()["api_key"], "api_key_id": made.json()["api_key_id"]}


def _scopes(url: str, key: str) -> httpx.Response:
    return httpx.get(f"{url}/v3/scopes", headers={"Authorization": f"Bearer {key}"}, timeout=30)


def test_a_key_deleted_elsewhere_is_refused_at_once(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    made = _new_key(a, "short-lived")
    for _ in range(2):  # admitted, and admitted again (the pair is then recently clear)
        assert _scopes(a, made["api_key"]).status_code == 200
    deleted = httpx.delete(f"{b}/v3/api_keys/{made['api_key_id']}", headers=_basic(), timeout=30)
    assert deleted.status_code == 204
    refused = _scopes(a, made["api_key"])
    assert refused.status_code == 401
    assert refused.json() == {"errors": [{"field": None, "message": GRANT_INVALID}]}


def test_scopes_narrowed_elsewhere_apply_at_once(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    made = _new_key(a, "narrowed")
    assert _scopes(a, made["api_key"]).status_code == 200
    narrowed = httpx.put(
        f"{b}/v3/api_keys/{made['api_key_id']}",
        json={"name": "narrowed", "scopes": ["mail.send"]},
        headers=_basic(),
        timeout=30,
    )
    assert narrowed.status_code == 200
    assert _scopes(a, made["api_key"]).status_code == 403
