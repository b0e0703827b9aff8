"""Two `serve` processes on one database: a change made through one is enforced by the
other on its very next request, although that one had the old login cached."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import new_database
from tests.factories import customer_params
from tests.support import RESELLER, seed_reseller, serve_process

pytestmark = pytest.mark.slow
DIST = RESELLER


@pytest.fixture(scope="module")
def two_servers(backend: str, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    database_url = new_database(backend, request)
    seed_reseller(database_url)
    with serve_process(database_url) as (a, _pa), serve_process(database_url) as (b, _pb):
        yield a, b


def _post(url: str, call: str, **data: str) -> httpx.Response:
    return httpx.post(f"{url}/api/{call}.json", data=data, timeout=30)


def _new_customer(url: str, name: str) -> dict[str, str]:
    params = customer_params("basic", username=f"{name}@example.com", password="first-pass")
    assert _post(url, "distributor.add", **DIST, **params).status_code == 200
    return {"api_user": params["username"], "api_key": "first-pass"}


def _warm(url: str, login: dict[str, str]) -> None:
    for _ in range(2):  # the second call is answered from the login cache
        assert _post(url, "credentials/get", **login).status_code == 200


def test_password_reset_elsewhere_is_enforced_at_once(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    login = _new_customer(a, "reset")
    _warm(a, login)
    user = login["api_user"]
    reset = _post(
        b,
        "distributor.manage",
        **DIST,
        method="password",
        user=user,
        password="second-pass",
        confirm_password="second-pass",
    )
    assert reset.status_code == 200
    assert _post(a, "credentials/get", **login).status_code == 401
    assert _post(a, "credentials/get", api_user=user, api_key="second-pass").status_code == 200


def test_rename_elsewhere_is_enforced_at_once(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    login = _new_customer(a, "rename")
    _warm(a, login)
    renamed = _post(
        b,
        "distributor.manage",
        **DIST,
        method="profile",
        task="setUsername",
        user=login["api_user"],
        username="renamed@example.com",
    )
    assert renamed.status_code == 200
    assert _post(a, "credentials/get", **login).status_code == 401
    new_login = {"api_user": "renamed@example.com", "api_key": "first-pass"}
    assert _post(a, "credentials/get", **new_login).status_code == 200


def test_delete_elsewhere_is_enforced_at_once(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    login = _new_customer(a, "deleted")
    _warm(a, login)
    assert _post(b, "distributor.delete", **DIST, user=login["api_user"]).status_code == 200
    assert _post(a, "credentials/get", **login).status_code == 401


def test_credential_changes_elsewhere_are_enforced_at_once(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    added = _post(
        b,
        "credentials/add",
        **DIST,
        username="apikey1",
        password="cred-pass",
        permissions='{"api": 1}',
    )
    assert added.status_code == 200
    cred = {"api_user": "apikey1", "api_key": "cred-pass"}
    for _ in range(2):
        assert _post(a, "distributor.packages", **cred).status_code == 200
    assert _post(b, "credentials/edit", **DIST, username="apikey1", api="0").status_code == 200
    assert _post(a, "distributor.packages", **cred).status_code == 403
    assert (
        _post(
            b, "credentials/edit", **DIST, username="apikey1", api="1", password="new-cred-pass"
        ).status_code
        == 200
    )
    assert _post(a, "distributor.packages", **cred).status_code == 401
    assert _post(b, "credentials/remove", **DIST, username="apikey1").status_code == 200
    assert (
        _post(a, "distributor.packages", api_user="apikey1", api_key="new-cred-pass").status_code
        == 401
    )


def test_concurrent_creation_through_both_processes(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    params = customer_params("basic", username="Contested@example.com")

    def attempt(url: str) -> int:
        return _post(url, "distributor.add", **DIST, **params).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(attempt, [a, b] * 8))
    assert sorted(statuses) == [200] + [400] * 15
    listed = _post(
        a,
        "distributor.manage",
        **DIST,
        method="profile",
        task="get",
        username="contested@example.com",
    )
    assert [row["username"] for row in listed.json()] == ["Contested@example.com"]
