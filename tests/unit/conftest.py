"""Services on a real SQLite file of their own, with one distributor and its package."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridreseller.domain.models import Actor
from gridreseller.services import operator
from gridreseller.services.context import ServiceContext
from tests.support import context_for


@pytest.fixture
def service_ctx(tmp_path: Path) -> ServiceContext:
    return context_for(f"sqlite:///{tmp_path / 'unit.db'}")


@pytest.fixture
def distributor(service_ctx: ServiceContext) -> Actor:
    operator.create_distributor(service_ctx, "dist", "dist-pass", "dist@example.com")
    operator.create_package(service_ctx, "dist", operator.PackageSpec(name="basic"))
    with service_ctx.uow.read() as repository:
        login = repository.distributor("dist")
        assert login is not None
        return Actor(login.id, login.kind, login.username)  # type: ignore[arg-type]
