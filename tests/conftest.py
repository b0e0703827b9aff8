"""Shared fixtures: one real server on a real SQLite file for the HTTP tests."""

from __future__ import annotations

import inspect
import os
from collections.abc import Generator, Iterator
from pathlib import Path

import httpx
import pytest

from gridreseller.bootstrap import Container
from gridreseller.services.context import ServiceContext
from tests.factories import Account, Distributor, Factory
from tests.postgres import PostgresCluster, postgres_bin
from tests.quick_loop import left_to_the_full_run
from tests.support import BACKENDS, FORMATS, Clock, ThreadServer, container_for

QUICK_LOOP = "not slow"  # scripts/test.sh --quick: pytest -m "not slow"
LEFT_TO_THE_FULL_RUN = left_to_the_full_run()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks `slow` the tests tests/quick_loop.py names, before -m "not slow" looks."""
    for item in items:
        module = item.path.relative_to(config.rootpath).as_posix()
        name = getattr(item, "originalname", item.name)
        if name in LEFT_TO_THE_FULL_RUN.get(module, ()):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Collector, name: str, obj: object
) -> Generator[None, object, object]:
    """In the quick loop, a test function marked slow where it is defined is not even
    built: Schemathesis makes its cases while collecting (seconds for the fuzz tests)."""
    made = yield
    marks = getattr(obj, "pytestmark", []) if inspect.isfunction(obj) else []
    if collector.config.option.markexpr == QUICK_LOOP and any(m.name == "slow" for m in marks):
        return []
    return made


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _reset_clock(clock: Clock) -> Iterator[None]:
    yield
    clock.now = None


def started_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL server on 127.0.0.1, destroyed afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        if os.environ.get("GRIDRESELLER_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (GRIDRESELLER_REQUIRE_POSTGRES) but not installed")
        pytest.skip("PostgreSQL server binaries are not installed")
    cluster = PostgresCluster(bin_dir)
    cluster.init()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Started once for the whole run."""
    yield from started_cluster()


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of a test's own, for tests that stop it."""
    yield from started_cluster()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Every test that reaches a database runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


def new_database(backend: str, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        path: Path = factory.mktemp("db") / "gridreseller.db"
        return f"sqlite:///{path}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database()


@pytest.fixture(scope="session")
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """The database the shared server uses."""
    return new_database(backend, request)


@pytest.fixture
def fresh_database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """An empty database of its own, for tests that start their own servers."""
    return new_database(backend, request)


@pytest.fixture(scope="session")
def container(database_url: str, clock: Clock) -> Container:
    return container_for(database_url, clock)


@pytest.fixture(scope="session")
def ctx(container: Container) -> ServiceContext:
    return container.services


@pytest.fixture(scope="session")
def server(container: Container) -> Iterator[ThreadServer]:
    running = ThreadServer(container)
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


@pytest.fixture
def one_distributor(factory: Factory) -> Distributor:
    """A distributor for a whole Hypothesis test, not one per example: Hypothesis runs
    every example inside the same function-scoped fixtures (so its tests suppress that
    health check)."""
    return factory.distributor()


@pytest.fixture
def one_customer(factory: Factory, one_distributor: Distributor) -> Account:
    """A customer of `one_distributor`, for a whole Hypothesis test."""
    return factory.customer(one_distributor)
