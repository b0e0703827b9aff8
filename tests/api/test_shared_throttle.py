"""docs/deployment.md: two `serve` processes on one database count one throttle budget per login."""

from __future__ import annotations

import httpx
import pytest

from tests.support import RESELLER, seed_reseller, serve_process

pytestmark = pytest.mark.slow
BUDGET = 30  # failures per account in the window: the default


def _packages(url: str, password: str) -> httpx.Response:
    data = {"api_user": RESELLER["api_user"], "api_key": password}
    return httpx.post(f"{url}/api/distributor.packages.json", data=data, timeout=30)


def test_failures_alternating_between_processes_lock_the_account_on_both(
    fresh_database_url: str,
) -> None:
    seed_reseller(fresh_database_url)
    env = {"GRIDRESELLER_THROTTLE_ACCOUNT_FAILURES": str(BUDGET)}
    with (
        serve_process(fresh_database_url, env=env) as (a, _pa),
        serve_process(fresh_database_url, env=env) as (b, _pb),
    ):
        statuses = [_packages((a, b)[i % 2], f"wrong-{i}").status_code for i in range(BUDGET)]
        # Each process saw 15 failures: only a shared count reaches 30.
        assert statuses == [401] * BUDGET
        for url in (a, b):
            refused = _packages(url, RESELLER["api_key"])  # even the right password
            assert refused.status_code == 429, (url, refused.text)
            assert int(refused.headers["Retry-After"]) > 0
