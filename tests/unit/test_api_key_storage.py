"""API keys on both databases (issue 20): the table of migration 0010, a key made in
one process working in another and stopping there once deleted, one server key for
all, and bad keys counted in the one throttle budget, per network and per account."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from gridreseller.bootstrap import Container
from gridreseller.db.migrate import alembic_config
from gridreseller.db.tables import Base
from gridreseller.domain.access import Purpose
from gridreseller.domain.api_keys import (
    MAIL_SEND,
    MAX_KEYS,
    SCOPES,
    KeyCaller,
    KeyPrincipal,
    TooManyKeys,
)
from gridreseller.domain.errors import Throttled, Unauthorized
from gridreseller.services import api_keys
from gridreseller.services.api_keys import CreatedKey, CreateKey, DeleteKey, ListKeys, RenameKey
from tests.factories import Account, Factory, run_coroutine
from tests.support import container_for

ON_API = Purpose.API_CREDENTIALS  # an API purpose every primary account has
FAILURES = 3  # the throttle's thresholds here, per account and per network


@pytest.fixture
def containers(fresh_database_url: str) -> Iterator[tuple[Container, Container]]:
    """Two containers on one database, as two processes would be, with a small
    throttle budget."""
    made = [
        container_for(
            fresh_database_url,
            throttle_account_failures=FAILURES,
            throttle_network_failures=FAILURES * 2,
        )
        for _ in range(2)
    ]
    yield made[0], made[1]
    for container in made:
        container.uow.engine.dispose()


def login(factory: Factory, account: Account, client: str = "10.1.0.1") -> KeyCaller:
    coroutine = factory.ctx.identity.authenticate(
        account.username, account.password, client, ON_API
    )
    return KeyCaller.login(run_coroutine(coroutine))


def authenticate(container: Container, key: str, client: str) -> KeyPrincipal:
    return run_coroutine(container.identity.authenticate_key(key, client, ON_API))


def test_a_key_made_in_one_process_works_and_stops_in_another(
    containers: tuple[Container, Container],
) -> None:
    first, second = containers
    factory = Factory(first.services)
    caller = login(factory, factory.customer(factory.distributor()))
    created = run_coroutine(api_keys.create_key(first.services, caller, CreateKey("k", None)))
    assert authenticate(second, created.key, "10.2.0.1").scopes == set(SCOPES)
    renamed = RenameKey(created.view.key_id, "r" * 100)
    run_coroutine(api_keys.rename_key(second.services, caller, renamed))
    listed = run_coroutine(api_keys.list_keys(first.services, caller, ListKeys()))
    assert [key.name for key in listed.keys] == ["r" * 100]
    run_coroutine(api_keys.delete_key(first.services, caller, DeleteKey(created.view.key_id)))
    with pytest.raises(Unauthorized):
        authenticate(second, created.key, "10.2.0.1")


def _api_keys_only(item: object, name: str | None, type_: str, *_: object) -> bool:
    if type_ == "table":
        return name == "api_keys"
    return getattr(getattr(item, "table", None), "name", None) == "api_keys"


def test_the_migrated_table_matches_the_metadata(
    containers: tuple[Container, Container],
) -> None:
    with containers[0].uow.engine.connect() as connection:
        options = {"compare_type": True, "include_object": _api_keys_only}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, Base.metadata) == []


def test_the_table_comes_and_goes_with_its_revision(
    containers: tuple[Container, Container],
) -> None:
    engine = containers[0].uow.engine
    assert {"key_id", "account_id", "name", "scopes", "secret_hash"} <= {
        column["name"] for column in inspect(engine).get_columns("api_keys")
    }
    containers[1].uow.engine.dispose()
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    assert "api_keys" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert "api_keys" in inspect(engine).get_table_names()


def test_wrong_secrets_count_against_the_keys_account(
    containers: tuple[Container, Container],
) -> None:
    """A known id with a wrong secret counts for the account: its password logins from
    an address it has not logged in from are locked too; a trusted address is not."""
    first, second = containers
    factory = Factory(first.services)
    distributor = factory.distributor()
    caller = login(factory, distributor, "10.3.0.1")  # 10.3.0.1 is now trusted
    created = run_coroutine(api_keys.create_key(first.services, caller, CreateKey("k", None)))
    prefix, key_id, secret = created.key.split(".")
    wrong = f"{prefix}.{key_id}.{secret[::-1]}"
    for number in range(FAILURES):
        with pytest.raises(Unauthorized):
            authenticate(second, wrong, f"10.4.{number}.1")  # three networks
    with pytest.raises(Throttled):
        authenticate(first, created.key, "10.5.0.1")
    with pytest.raises(Throttled):
        login(factory, distributor, "10.5.0.1")
    assert authenticate(first, created.key, "10.3.0.1").key_id == key_id
    login(factory, distributor, "10.3.0.1")


def test_unknown_and_malformed_keys_count_against_the_network(
    containers: tuple[Container, Container],
) -> None:
    first, second = containers
    factory = Factory(first.services)
    caller = login(factory, factory.distributor(), "10.6.1.1")
    created = run_coroutine(
        api_keys.create_key(first.services, caller, CreateKey("k", [MAIL_SEND]))
    )
    _, _, secret = created.key.split(".")
    bad = [f"SG.{str(n) * 16}.{secret}" for n in range(FAILURES)] + ["", "SG.x.y"] + ["junk"]
    for number, key in enumerate(bad):
        with pytest.raises(Unauthorized):
            authenticate(second if number % 2 else first, key, f"10.7.0.{number + 1}")
    # Six failures from 10.7.0.0/24: the network is locked, for a right key as well.
    with pytest.raises(Throttled):
        authenticate(first, created.key, "10.7.0.200")
    assert authenticate(first, created.key, "10.8.0.1").scopes == {MAIL_SEND}


def test_racing_creations_never_pass_the_limit(containers: tuple[Container, Container]) -> None:
    """Two processes creating keys for one account at once, two short of the limit:
    exactly two more are made (the account's row is locked while counting)."""
    first, second = containers
    factory = Factory(first.services)
    caller = login(factory, factory.distributor(), "10.9.0.1")
    for number in range(MAX_KEYS - 2):
        run_coroutine(api_keys.create_key(first.services, caller, CreateKey(f"k{number}", None)))

    async def race() -> list[BaseException | object]:
        creations = [
            api_keys.create_key(container.services, caller, CreateKey("racer", None))
            for container in (first, second) * 3
        ]
        return await asyncio.gather(*creations, return_exceptions=True)

    outcomes = run_coroutine(race())
    assert sum(isinstance(outcome, TooManyKeys) for outcome in outcomes) == 4, outcomes
    assert sum(isinstance(outcome, CreatedKey) for outcome in outcomes) == 2, outcomes
    listed = run_coroutine(api_keys.list_keys(second.services, caller, ListKeys()))
    assert len(listed.keys) == MAX_KEYS
