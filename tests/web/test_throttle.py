"""Dashboard logins count in the API's throttle budget, and the other way round
(docs/dashboard.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from gridreseller.services import operator
from gridreseller.web import messages
from tests.factories import Account
from tests.support import Clock, ThreadServer, container_for, verifications
from tests.web.webclient import WebClient, alert

OWNER = Account("throttled-owner", "owner-pass")


@pytest.fixture
def strict(fresh_database_url: str) -> Iterator[tuple[ThreadServer, Clock]]:
    """A server of its own: an account is locked after 3 failures."""
    clock = Clock(datetime(2026, 6, 1, 12, 0, 0))
    container = container_for(fresh_database_url, clock, counting=True, throttle_account_failures=3)
    operator.create_distributor(container.services, OWNER.username, OWNER.password, "o@x.org")
    server = ThreadServer(container)
    server.start()
    yield server, clock
    server.stop()


def _api(server: ThreadServer, password: str) -> httpx.Response:
    login = {"api_user": OWNER.username, "api_key": password}
    return httpx.post(f"{server.url}/api/distributor.packages.json", data=login, timeout=30)


def test_api_and_dashboard_failures_share_one_budget(
    strict: tuple[ThreadServer, Clock],
) -> None:
    server, clock = strict
    assert _api(server, "wrong-1").status_code == 401
    assert _api(server, "wrong-2").status_code == 401
    assert WebClient(server.url).login(Account(OWNER.username, "wrong-3")).status_code == 401
    before = verifications(server.container)
    client = WebClient(server.url)
    throttled = client.login(OWNER)  # the right password, but the account is locked
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "60"
    assert alert(throttled) == messages.throttled(60)
    assert 'name="username"' in throttled.text  # the form again
    assert client.session is None
    assert verifications(server.container) == before  # a throttled attempt costs no hash
    assert _api(server, OWNER.password).status_code == 429
    clock.advance(60)
    assert WebClient(server.url).login(OWNER).status_code == 303


def test_dashboard_failures_lock_the_api(strict: tuple[ThreadServer, Clock]) -> None:
    server, _clock = strict
    for attempt in range(3):
        client = WebClient(server.url)
        assert client.login(Account(OWNER.username, f"wrong-{attempt}")).status_code == 401
    assert _api(server, OWNER.password).status_code == 429
