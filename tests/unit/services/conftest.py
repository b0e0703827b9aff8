"""The rule matrices' ground: the real services on one real SQLite file, no HTTP.

Every rule runs here once, on SQLite (the API tests render a representative of each
kind of answer on both databases). `factory` makes rows through the services too.
"""

from __future__ import annotations

import pytest

from gridreseller.services.context import ServiceContext
from tests.factories import Factory
from tests.support import Clock, container_for


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> ServiceContext:
    path = tmp_path_factory.mktemp("services") / "gridreseller.db"
    return container_for(f"sqlite:///{path}", clock).services


@pytest.fixture
def factory(services: ServiceContext) -> Factory:
    """The shared factory's interface, without a server: no API call to make here."""
    return Factory(services)
