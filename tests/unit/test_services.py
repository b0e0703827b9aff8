"""Services on a real SQLite file, without HTTP."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from gridreseller.api.legacy import customers
from gridreseller.api.legacy.params import Params
from gridreseller.config import Settings, load_settings
from gridreseller.db.tables import Login
from gridreseller.domain.errors import Invalid
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.identity.passwords import Passwords
from gridreseller.services import operator
from gridreseller.services.context import ServiceContext
from tests.factories import customer_params
from tests.support import container_for


@pytest.fixture
def service_ctx(tmp_path: Path) -> ServiceContext:
    return container_for(f"sqlite:///{tmp_path / 'unit.db'}").services


@pytest.fixture
def distributor(service_ctx: ServiceContext) -> Actor:
    operator.create_distributor(service_ctx, "dist", "dist-pass", "dist@example.com")
    operator.create_package(service_ctx, "dist", operator.PackageSpec(name="basic"))
    return Actor(operator.distributor_id(service_ctx, "dist"), LoginKind.DISTRIBUTOR, "dist")


def _count_logins(ctx: ServiceContext) -> int:
    with ctx.uow.read() as repository:
        return int(repository.session.scalar(select(func.count()).select_from(Login)) or 0)


def test_default_hash_is_owasp_argon2id() -> None:
    hashed = Passwords(Settings()).hash("correct horse")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "correct horse" not in hashed


def test_verify_runs_for_unknown_users_and_fails() -> None:
    passwords = Passwords(Settings(argon2_memory_kib=1024, argon2_time_cost=1))
    assert passwords.verify(None, "gridreseller-dummy-password") is False
    assert passwords.verify(passwords.hash("right"), "right") is True
    assert passwords.verify(passwords.hash("right"), "wrong") is False
    assert passwords.verify("not-a-hash", "right") is False


def test_settings_from_environment() -> None:
    settings = load_settings(
        {"GRIDRESELLER_ARGON2_MEMORY_KIB": "65536", "GRIDRESELLER_RESERVED_DOMAINS": "a.com, B.org"}
    )
    assert settings.argon2_memory_kib == 65536
    assert settings.reserved_domains == ("a.com", "b.org")
    with pytest.raises(ValueError, match="GRIDRESELLER_MAX_PARAMETERS"):
        load_settings({"GRIDRESELLER_MAX_PARAMETERS": "many"})


def test_sqlite_is_durable_and_enforces_foreign_keys(service_ctx: ServiceContext) -> None:
    with service_ctx.uow.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert int(connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 1000


def test_failed_add_writes_nothing(service_ctx: ServiceContext, distributor: Actor) -> None:
    before = _count_logins(service_ctx)
    params = Params(values=customer_params("no-such-package", username="x@example.com"))
    with pytest.raises(Invalid) as raised:
        asyncio.run(customers.ADD.run(service_ctx, distributor, params))
    assert raised.value.errors == ["package must be the name of one of your packages"]
    assert _count_logins(service_ctx) == before


def test_all_errors_reported_together(service_ctx: ServiceContext, distributor: Actor) -> None:
    params = customer_params("nope", email="bad", zip="z" * 51)
    with pytest.raises(Invalid) as raised:
        asyncio.run(customers.ADD.run(service_ctx, distributor, Params(values=params)))
    assert raised.value.errors == [
        "email must be a valid email address",
        "zip must be no more than 50 characters",
        "package must be the name of one of your packages",
    ]


def test_concurrent_adds_of_one_username_leave_one_account(
    service_ctx: ServiceContext, distributor: Actor
) -> None:
    outcomes: list[str] = []
    params = Params(values=customer_params("basic", username="Race@example.com"))
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        try:
            asyncio.run(customers.ADD.run(service_ctx, distributor, params))
            outcomes.append("ok")
        except Invalid as error:
            outcomes.append(";".join(error.errors))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["username is already taken"] * 7
    with service_ctx.uow.read() as repository:
        assert repository.username_taken("race@example.com")


def test_operator_rejects_bad_input(service_ctx: ServiceContext, distributor: Actor) -> None:
    with pytest.raises(Invalid, match="already taken"):
        operator.create_distributor(service_ctx, "DIST", "another-pass", "d2@example.com")
    with pytest.raises(Invalid, match="not a valid IP address"):
        operator.add_ips(service_ctx, "dist", "g", ["300.1.1.1"])
    with pytest.raises(Invalid, match="no distributor named"):
        operator.create_package(service_ctx, "ghost", operator.PackageSpec(name="p"))
    with pytest.raises(Invalid, match="price must be a number"):
        operator.create_package(service_ctx, "dist", operator.PackageSpec(name="p", price="abc"))
