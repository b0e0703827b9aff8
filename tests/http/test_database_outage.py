"""PostgreSQL stopped under a running server: 503 with the error envelope, then recovery
without restarting the app."""

from __future__ import annotations

import time

import httpx
import pytest

from gridreseller.services import operator
from tests.postgres import PostgresCluster
from tests.support import ThreadServer, container_for, errors

pytestmark = pytest.mark.slow
LOGIN = {"api_user": "outage", "api_key": "outage-pass"}


def _packages(url: str, fmt: str = "json") -> httpx.Response:
    return httpx.post(f"{url}/api/distributor.packages.{fmt}", data=LOGIN, timeout=30)


def test_database_restart_gives_503_then_recovers(own_cluster: PostgresCluster) -> None:
    container = container_for(own_cluster.create_database())
    operator.create_distributor(container.services, "outage", "outage-pass", "o@example.com")
    server = ThreadServer(container)
    server.start()
    try:
        assert _packages(server.url).status_code == 200
        own_cluster.stop()
        for fmt in ("json", "xml"):
            started = time.monotonic()
            down = _packages(server.url, fmt)
            assert down.status_code == 503
            assert errors(down) == ["service temporarily unavailable"]
            assert time.monotonic() - started < 10
        health = httpx.get(f"{server.url}/healthz", timeout=30)
        assert health.status_code == 503
        own_cluster.start()
        assert _packages(server.url).status_code == 200
        assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
    finally:
        server.stop()
