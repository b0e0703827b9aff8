"""Shared fixtures: one real server on a real SQLite file for the HTTP tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gridreseller.services.context import ServiceContext
from tests.factories import Factory
from tests.support import FORMATS, Clock, ThreadServer, context_for


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _reset_clock(clock: Clock) -> Iterator[None]:
    yield
    clock.now = None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "gridreseller.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def ctx(database_url: str, clock: Clock) -> ServiceContext:
    return context_for(database_url, clock)


@pytest.fixture(scope="session")
def server(ctx: ServiceContext, clock: Clock) -> Iterator[ThreadServer]:
    running = ThreadServer(ctx, clock)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(server: ThreadServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture
def factory(ctx: ServiceContext, client: httpx.Client) -> Factory:
    return Factory(ctx, client)


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    """Every HTTP test that takes `fmt` runs once per response format."""
    return str(request.param)
