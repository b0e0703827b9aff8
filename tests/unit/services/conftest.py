"""The rule matrices' ground: the real services on one real SQLite file, no HTTP.

Every rule runs here once, on SQLite (the API tests render a representative of each
kind of answer on both databases). `factory` makes rows through the services too.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridreseller.services.context import ServiceContext
from tests.factories import Factory
from tests.support import Clock, container_for

# Memory-backed where the machine has it: these tests are about rules, not durability
# (the crash-safety tests are), and an fsync per commit was a third of their time.
MEMORY = Path("/dev/shm")  # noqa: S108 - only ever a private folder from mkdtemp


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[ServiceContext]:
    if MEMORY.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="gridreseller-services-", dir=MEMORY))
    else:
        folder = tmp_path_factory.mktemp("services")
    container = container_for(f"sqlite:///{folder / 'gridreseller.db'}", clock)
    yield container.services
    container.uow.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def factory(services: ServiceContext) -> Factory:
    """The shared factory's interface, without a server: no API call to make here."""
    return Factory(services)
