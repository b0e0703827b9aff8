"""argon2 runs off the event loop: slow first logins do not stall anybody else."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from gridreseller.services import operator
from tests.support import ThreadServer, container_for

pytestmark = pytest.mark.slow
# Deliberately slow hashing, so that a stalled event loop would show.
SLOW: dict[str, Any] = {"argon2_memory_kib": 65536, "argon2_time_cost": 6}


def _packages(url: str, user: str, key: str) -> int:
    data = {"api_user": user, "api_key": key}
    return httpx.post(f"{url}/api/distributor.packages.json", data=data, timeout=60).status_code


def test_slow_logins_do_not_stall_cached_ones(fresh_database_url: str) -> None:
    container = container_for(fresh_database_url, **SLOW)
    ctx = container.services
    operator.create_distributor(ctx, "regular", "regular-pass", "r@example.com")
    server = ThreadServer(container)
    server.start()
    try:
        assert _packages(server.url, "regular", "regular-pass") == 200  # now cached
        started = time.perf_counter()
        assert _packages(server.url, "stranger", "some-pass") == 401  # one full argon2
        one_hash = time.perf_counter() - started

        finished: list[float] = []
        slow_statuses: list[int] = []

        def slow_login(n: int) -> None:
            # Recorded, not asserted: an assertion in a thread cannot fail the test.
            slow_statuses.append(_packages(server.url, f"stranger{n}", "some-pass"))
            finished.append(time.perf_counter())

        # As many first logins as there are hashing threads: all of them busy.
        hashing = ctx.settings.worker_threads
        slow = [threading.Thread(target=slow_login, args=(n,)) for n in range(hashing)]
        for thread in slow:
            thread.start()
        time.sleep(one_hash / 4)  # all of them are hashing now
        quick: list[float] = []
        first_answered = 0.0
        for _ in range(5):
            began = time.perf_counter()
            assert _packages(server.url, "regular", "regular-pass") == 200
            quick.append(time.perf_counter() - began)
            first_answered = first_answered or time.perf_counter()
        for thread in slow:
            thread.join()
    finally:
        server.stop()
    assert slow_statuses == [401] * hashing
    # Answered while the hashes ran, none waiting for one to end (the machine's cores
    # are busy hashing, so "fast" can only be measured against a hash).
    assert first_answered < min(finished), (one_hash, quick)
    assert max(quick) < one_hash, (one_hash, quick)
