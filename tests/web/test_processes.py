"""Two `serve` processes on one database (docs/dashboard.md): each sees the other's logins and
logouts
at once, and accepts the forms the other rendered."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Account, customer_params
from tests.support import RESELLER, RESELLER_PACKAGE, seed_reseller, serve_process
from tests.web.webclient import WebClient

pytestmark = pytest.mark.slow
DISTRIBUTOR = Account(RESELLER["api_user"], RESELLER["api_key"])


def _credentials(url: str) -> list[str]:
    response = httpx.post(f"{url}/api/credentials/get.json", data=RESELLER, timeout=30)
    assert response.status_code == 200
    return [c["name"] for c in response.json()]


def test_two_processes_share_logins_logouts_and_forms(fresh_database_url: str) -> None:
    seed_reseller(fresh_database_url)
    with (
        serve_process(fresh_database_url) as (a, _pa),
        serve_process(fresh_database_url) as (
            b,
            _pb,
        ),
    ):
        # The login form from A, sent to B.
        at_a = WebClient(a)
        at_a.open("/dashboard/login")
        at_b = at_a.at(b)
        fields = {"username": DISTRIBUTOR.username, "password": DISTRIBUTOR.password}
        assert at_b.post("/dashboard/login", fields).status_code == 303
        # The session opened by B is live at A; a form A rendered is accepted by B.
        at_a = at_b.at(a)
        at_a.open("/dashboard/credentials")
        at_b = at_a.at(b)
        added = at_b.post(
            "/dashboard/credentials/add", {"username": "from-a", "password": "cred-secret"}
        )
        assert added.status_code == 303
        assert _credentials(a) == ["from-a"]
        # Logout at B ends the session at A at once.
        at_b.open("/dashboard/credentials")
        token = at_b.session
        assert at_b.post("/dashboard/logout", {}).status_code == 303
        replay = WebClient(a, cookies={"__Host-gridreseller": str(token)})
        assert replay.get("/dashboard/credentials").headers["location"] == "/dashboard/login"


def test_a_change_through_one_process_ends_a_session_in_the_other(
    fresh_database_url: str,
) -> None:
    seed_reseller(fresh_database_url)
    customer = customer_params(RESELLER_PACKAGE, username="moving@example.com")
    with (
        serve_process(fresh_database_url) as (a, _pa),
        serve_process(fresh_database_url) as (
            b,
            _pb,
        ),
    ):
        added = httpx.post(f"{a}/api/distributor.add.json", data={**RESELLER, **customer})
        assert added.status_code == 200
        client = WebClient(a)
        assert client.login(Account(customer["username"], customer["password"])).status_code == 303
        client.open("/dashboard/account")
        reset = {
            **RESELLER,
            "method": "password",
            "user": customer["username"],
            "password": "elsewhere-pass",
            "confirm_password": "elsewhere-pass",
        }
        assert httpx.post(f"{b}/api/distributor.manage.json", data=reset).status_code == 200
        assert client.get("/dashboard/account").headers["location"] == "/dashboard/login"
