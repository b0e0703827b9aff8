"""Throttling, identical failures, the audit trail and secret-free logs, over real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from typer.testing import CliRunner

from gridreseller.cli import app as cli_app
from gridreseller.domain.access import Purpose
from gridreseller.services import audit, operator
from gridreseller.services.context import ServiceContext
from tests.factories import Account, customer_params
from tests.support import (
    Clock,
    ThreadServer,
    container_for,
    errors,
    serve_process,
    stop_server,
    verifications,
)

DIST = {"api_user": "guarded", "api_key": "guarded-pass"}


Guarded = tuple[ThreadServer, Clock]


@pytest.fixture
def guarded(fresh_database_url: str) -> Iterator[Guarded]:
    """A server of its own: throttling after 3 failures, a set clock, a counting hasher
    (the tests that use it are slow: it starts a server on a database of its own)."""
    clock = Clock(datetime(2026, 6, 1, 12, 0, 0))
    container = container_for(
        fresh_database_url,
        clock,
        counting=True,
        throttle_account_failures=3,
        throttle_network_failures=1000,
    )
    ctx = container.services
    operator.create_distributor(ctx, "guarded", "guarded-pass", "g@example.com")
    operator.create_package(ctx, "guarded", operator.PackageSpec(name="basic"))
    server = ThreadServer(container)
    server.start()
    yield server, clock
    server.stop()


def _packages(server: ThreadServer, fmt: str, **login: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/distributor.packages.{fmt}", data=login, timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_throttled_logins_get_429_without_hashing(guarded: Guarded, fmt: str) -> None:
    server, clock = guarded
    for name in ("guarded", "nobody-here"):  # known and unknown: the same answers
        for _ in range(3):
            assert _packages(server, fmt, api_user=name, api_key="wrong").status_code == 401
        before = verifications(server.container)
        throttled = _packages(server, fmt, api_user=name.upper(), api_key="wrong")
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "60"
        assert errors(throttled) == ["too many failed logins; retry after 60 seconds"]
        assert verifications(server.container) == before  # no hasher for a throttled attempt
    clock.advance(60)
    assert _packages(server, fmt, **DIST).status_code == 200


@pytest.mark.slow
def test_every_failed_login_runs_the_hasher_once(guarded: Guarded) -> None:
    server, _clock = guarded
    add = httpx.post(
        f"{server.url}/api/distributor.add.json",
        data={**DIST, **customer_params("basic", username="gone@example.com")},
    )
    assert add.status_code == 200
    gone = httpx.post(
        f"{server.url}/api/distributor.delete.json", data={**DIST, "user": "gone@example.com"}
    )
    assert gone.status_code == 200
    bodies = set()
    for login in (
        {"api_user": "unknown-user", "api_key": "x"},
        {"api_user": "guarded", "api_key": "wrong"},
        {"api_user": "gone@example.com", "api_key": "secret-pass"},
        {"api_user": "guarded", "api_key": ""},
    ):
        before = verifications(server.container)
        response = httpx.post(f"{server.url}/api/credentials/get.json", data=login)
        assert response.status_code == 401
        bodies.add(response.content)
        assert verifications(server.container) == before + 1, login
    assert len(bodies) == 1


@pytest.mark.slow
def test_audit_trail_records_changes_and_failures(guarded: Guarded) -> None:
    server, _clock = guarded
    url = server.url
    customer = customer_params("basic", username="audited@example.com", password="very-secret-1")
    calls = [
        ("distributor.add", customer),
        (
            "distributor.manage",
            {"method": "profile", "task": "set", "user": "audited@example.com", "city": "Paris"},
        ),
        (
            "distributor.manage",
            {
                "method": "password",
                "user": "audited@example.com",
                "password": "very-secret-2",
                "confirm_password": "very-secret-2",
            },
        ),
        ("distributor.manage", {"method": "disable", "user": "audited@example.com"}),
        (
            "credentials/add",
            {"username": "audit_cred", "password": "cred-secret-9", "permissions": '{"api": 1}'},
        ),
    ]
    for call, params in calls:
        assert httpx.post(f"{url}/api/{call}.json", data={**DIST, **params}).status_code == 200
    forged = 'evil\r\n2026-01-01T00:00:00Z actor="admin"'
    assert (
        httpx.post(
            f"{url}/api/credentials/get.json", data={"api_user": forged, "api_key": "x"}
        ).status_code
        == 401
    )
    ctx: ServiceContext = server.container.services
    events = list(audit.events(ctx, None, None))
    actions = [e.action for e in events]
    assert actions == [
        "customer.create",
        "customer.profile",
        "customer.password",
        "customer.disable",
        "credential.add",
        "login.failed",
    ]
    assert {e.actor for e in events[:-1]} == {"guarded"}
    assert all(e.client == "127.0.0.1" for e in events)
    assert events[1].details == {"city": "Paris"}
    dumped = json.dumps([e.as_dict() for e in events])
    for secret in ("very-secret-1", "very-secret-2", "cred-secret-9", "$argon2"):
        assert secret not in dumped
    output = (
        CliRunner()
        .invoke(
            cli_app,
            ["audit", "--distributor", "guarded", "--database-url", ctx.settings.database_url],
        )
        .output
    )
    assert len(output.splitlines()) == 5  # the failed login of an unknown user has no tenant
    everything = (
        CliRunner().invoke(cli_app, ["audit", "--database-url", ctx.settings.database_url]).output
    )
    lines = everything.splitlines()
    assert len(lines) == 6  # the CR/LF in a value could not start a line of its own
    assert "login.failed" in lines[-1]
    assert "evil" in lines[-1]
    as_json = (
        CliRunner()
        .invoke(
            cli_app,
            [
                "audit",
                "--json",
                "--since",
                "2000-01-01",
                "--database-url",
                ctx.settings.database_url,
            ],
        )
        .output.splitlines()
    )
    # Stored with its control characters escaped: raw client input, never raw bytes.
    assert json.loads(as_json[-1])["target"] == forged.replace("\r", "\\r").replace("\n", "\\n")


@pytest.mark.slow
def test_api_key_never_reaches_the_logs(fresh_database_url: str) -> None:
    ctx = container_for(fresh_database_url).services
    operator.create_distributor(ctx, "logged", "log-secret-77", "l@example.com")
    with serve_process(fresh_database_url) as (url, process):
        httpx.get(
            f"{url}/api/distributor.packages.json",
            params={"api_user": "logged", "api_key": "log-secret-77"},
        )
        httpx.get(
            f"{url}/api/distributor.packages.json",
            params={"api_user": "logged", "api_key": "wrong-secret-88"},
        )
        httpx.post(
            f"{url}/api/credentials/add.json",
            data={
                "api_user": "logged",
                "api_key": "log-secret-77",
                "username": "c1",
                "password": "cred-secret-99",
            },
        )
        output = stop_server(process)
    assert "GET /api/distributor.packages.json 200" in output
    for secret in ("log-secret-77", "wrong-secret-88", "cred-secret-99", "$argon2", "api_key"):
        assert secret not in output


def test_weak_hashes_are_upgraded_at_login(fresh_database_url: str) -> None:
    weak = container_for(fresh_database_url, argon2_memory_kib=1024, argon2_time_cost=1)
    operator.create_distributor(weak.services, "upgrader", "upgrade-me-1", "u@example.com")
    strong = container_for(fresh_database_url, argon2_memory_kib=2048, argon2_time_cost=2)
    account = Account("upgrader", "upgrade-me-1")
    login = strong.identity.authenticate
    asyncio.run(login(account.username, account.password, "-", Purpose.API_DISTRIBUTOR))
    with strong.uow.read() as repository:
        row = repository.login_for_auth("upgrader")
    assert row is not None
    assert row.password_hash.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    asyncio.run(login(account.username, account.password, "-", Purpose.API_DISTRIBUTOR))
