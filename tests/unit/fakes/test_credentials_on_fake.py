"""Credentials' rules (services/credentials.py) on the in-memory fake: adding one with
its bits and a real hash, names unique across every account, edits that change only
what is given, removal freeing the name, a distributor's read-only view of its own
customer's. The real-database tests: tests/unit/services/test_credentials.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, NotFound, Problem
from gridreseller.domain.models import Actor, CredentialList, CredentialView, Permissions
from gridreseller.services import credentials
from gridreseller.services.context import ServiceContext
from gridreseller.services.credentials import (
    AddCredential,
    EditCredential,
    GetCredentials,
    RemoveCredential,
)
from tests.unit.fakes.conftest import World


def add(ctx: ServiceContext, world: World, name: str, bits: dict[str, int]) -> None:
    command = AddCredential(name, "s3cret-pw", bits)
    asyncio.run(credentials.add_credential(ctx, world.customer, command))


def one(ctx: ServiceContext, world: World, name: str) -> CredentialView:
    found = asyncio.run(credentials.get_credentials(ctx, world.customer, GetCredentials(name)))
    assert isinstance(found, CredentialView)
    return found


def test_a_credential_gets_its_bits_and_a_hash_of_its_password(
    fake_ctx: ServiceContext, world: World
) -> None:
    add(fake_ctx, world, "smtp_sender", {"email": 1})
    credential = one(fake_ctx, world, "SMTP_Sender")  # found in any case
    assert (credential.name, credential.permissions) == ("smtp_sender", Permissions(1, 0, 0))
    stored = world.database.records.state.logins[credential.id].password_hash
    assert fake_ctx.passwords.verify(stored, "s3cret-pw")
    [entry] = world.database.records.state.audit
    assert (entry.action, entry.target) == ("credential.add", "smtp_sender")
    fields = json.loads(entry.details)
    assert fields["permissions"] == {"email": 1, "web": 0, "api": 0}
    assert "s3cret-pw" not in entry.details and stored not in entry.details


@pytest.mark.parametrize("name", ["jane", "JOE", "smtp_sender"])
def test_a_name_any_account_holds_is_taken_and_nothing_is_written(
    fake_ctx: ServiceContext, world: World, name: str
) -> None:
    add(fake_ctx, world, "smtp_sender", {})
    logins = dict(world.database.records.state.logins)
    with pytest.raises(Invalid) as refused:
        add(fake_ctx, world, name, {})
    assert refused.value.problems == [Problem("username", USERNAME_TAKEN)]
    assert world.database.records.state.logins == logins
    assert len(world.database.records.state.audit) == 1


def test_an_edit_changes_only_what_is_given(fake_ctx: ServiceContext, world: World) -> None:
    add(fake_ctx, world, "api_user", {"api": 1, "web": 1})
    before = one(fake_ctx, world, "api_user")
    hash_before = world.database.records.state.logins[before.id].password_hash
    # The separate bit wins over the same key in `permissions`.
    command = EditCredential("api_user", None, {"email": 1, "web": 1}, None, 0, None)
    asyncio.run(credentials.edit_credential(fake_ctx, world.customer, command))
    after = one(fake_ctx, world, "api_user")
    assert after.permissions == Permissions(email=1, web=0, api=1)
    assert world.database.records.state.logins[after.id].password_hash == hash_before
    assert world.database.records.state.audit[-1].action == "credential.edit"


def test_an_edit_that_changes_nothing_succeeds_unaudited(
    fake_ctx: ServiceContext, world: World
) -> None:
    add(fake_ctx, world, "api_user", {"api": 1})
    command = EditCredential("api_user", None, {"api": 1}, None, None, None)
    asyncio.run(credentials.edit_credential(fake_ctx, world.customer, command))
    assert [entry.action for entry in world.database.records.state.audit] == ["credential.add"]


def test_removal_frees_the_name(fake_ctx: ServiceContext, world: World) -> None:
    add(fake_ctx, world, "temp", {})
    remove = RemoveCredential("temp")
    asyncio.run(credentials.remove_credential(fake_ctx, world.customer, remove))
    listed = asyncio.run(
        credentials.get_credentials(fake_ctx, world.customer, GetCredentials(None))
    )
    assert listed == CredentialList([])
    add(fake_ctx, world, "temp", {"web": 1})
    assert one(fake_ctx, world, "temp").permissions == Permissions(web=1)


Call = Callable[[ServiceContext, Actor], Coroutine[Any, Any, object]]
STRANGERS_CALLS: dict[str, Call] = {
    "get": lambda ctx, actor: credentials.get_credentials(ctx, actor, GetCredentials("janes")),
    "edit": lambda ctx, actor: credentials.edit_credential(
        ctx, actor, EditCredential("janes", "n3w-passw0rd", {"web": 1}, None, None, None)
    ),
    "remove": lambda ctx, actor: credentials.remove_credential(
        ctx, actor, RemoveCredential("janes")
    ),
}


@pytest.mark.parametrize("call", STRANGERS_CALLS)
def test_another_accounts_credential_is_not_found_and_stays(
    fake_ctx: ServiceContext, world: World, call: str
) -> None:
    add(fake_ctx, world, "janes", {"email": 1})
    with pytest.raises(NotFound):
        asyncio.run(STRANGERS_CALLS[call](fake_ctx, world.other_customer))
    assert one(fake_ctx, world, "janes").permissions == Permissions(email=1)
    assert len(world.database.records.state.audit) == 1


def test_a_distributor_sees_only_its_own_customers_credentials(
    fake_ctx: ServiceContext, world: World
) -> None:
    add(fake_ctx, world, "janes", {"email": 1})
    seen = asyncio.run(credentials.customer_credentials(fake_ctx, world.distributor, "jane"))
    assert [credential.name for credential in seen] == ["janes"]
    with pytest.raises(NotFound):
        asyncio.run(credentials.customer_credentials(fake_ctx, world.other_distributor, "jane"))
