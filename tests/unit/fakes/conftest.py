"""Fixtures of the fast tests: a fake with a distributor and two customers, and a
service context on it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import NamedTuple

import pytest

from gridreseller.domain.models import Actor, LoginKind
from gridreseller.domain.records import NewLogin
from gridreseller.services.context import ServiceContext
from tests.support import Clock
from tests.unit.fakes.context import fake_context
from tests.unit.fakes.records import FakeTransactions

NOW = datetime(2026, 3, 1, 12, 0)


class World(NamedTuple):
    """The fake's transactions and who is in it."""

    database: FakeTransactions
    distributor: Actor
    other_distributor: Actor
    customer: Actor  # the distributor's
    other_customer: Actor  # the other distributor's


def _login(database: FakeTransactions, kind: LoginKind, name: str, owner: int | None) -> int:
    login = NewLogin(kind, name, "not a hash", NOW, owner_id=owner, email=f"{name}@example.com")
    return database.records.create_login(login)


@pytest.fixture
def world() -> World:
    database = FakeTransactions()
    distributor = _login(database, LoginKind.DISTRIBUTOR, "dist", None)
    other = _login(database, LoginKind.DISTRIBUTOR, "other-dist", None)
    customer = _login(database, LoginKind.CUSTOMER, "jane", distributor)
    other_customer = _login(database, LoginKind.CUSTOMER, "joe", other)
    return World(
        database,
        Actor(distributor, LoginKind.DISTRIBUTOR, "dist", "192.0.2.1", distributor),
        Actor(other, LoginKind.DISTRIBUTOR, "other-dist", "192.0.2.2", other),
        Actor(customer, LoginKind.CUSTOMER, "jane", "192.0.2.3", distributor),
        Actor(other_customer, LoginKind.CUSTOMER, "joe", "192.0.2.4", other),
    )


@pytest.fixture
def fake_ctx(world: World, clock: Clock) -> Iterator[ServiceContext]:
    clock.now = NOW
    with ThreadPoolExecutor(1, thread_name_prefix="fake-argon2") as hashing:
        yield fake_context(world.database, clock, hashing)
