"""API keys' rules (services/api_keys.py) on the in-memory fake: what is stored of a
key, the scopes a key may get, the limit per account, each call's scope, another
account's key, the audit trail. Every refusal leaves nothing written. The
real-database tests: tests/unit/services/test_api_keys.py."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import pytest

from gridreseller.domain.api_keys import (
    ALL_SCOPES,
    KEYS_CREATE,
    KEYS_READ,
    MAIL_SEND,
    MAX_KEYS,
    SCOPES,
    KeyCaller,
    MissingScope,
    TooManyKeys,
    parse_key,
)
from gridreseller.domain.errors import Invalid, NotFound
from gridreseller.domain.models import Actor
from gridreseller.identity.api_keys import SERVER_KEY_NAME
from gridreseller.services import api_keys
from gridreseller.services.api_keys import (
    CreatedKey,
    CreateKey,
    DeleteKey,
    GetKey,
    ListKeys,
    RenameKey,
    SetKeyScopes,
)
from gridreseller.services.context import ServiceContext
from tests.unit.fakes.conftest import World


def owner(actor: Actor) -> KeyCaller:
    """The account's own login: every scope."""
    return KeyCaller(actor, ALL_SCOPES)


def create(ctx: ServiceContext, caller: KeyCaller, name: str = "deploy") -> CreatedKey:
    return asyncio.run(api_keys.create_key(ctx, caller, CreateKey(name)))


def test_only_a_keyed_hash_of_the_secret_is_stored(fake_ctx: ServiceContext, world: World) -> None:
    created = create(fake_ctx, owner(world.customer))
    parsed = parse_key(created.key)
    assert parsed is not None and parsed.key_id == created.view.key_id
    records = world.database.records
    server_key = records.shared_key_value(SERVER_KEY_NAME)
    assert server_key is not None and len(bytes.fromhex(server_key)) == 32
    expected = hmac.new(bytes.fromhex(server_key), parsed.secret.encode(), hashlib.sha256)
    assert records.secret_hash_of(parsed.key_id) == expected.hexdigest()
    [entry] = records.state.audit
    assert (entry.action, entry.target) == ("api_key.create", parsed.key_id)
    assert parsed.secret not in entry.details and created.key not in entry.details


def test_the_server_key_is_made_once(fake_ctx: ServiceContext, world: World) -> None:
    create(fake_ctx, owner(world.customer), "one")
    first = world.database.records.shared_key_value(SERVER_KEY_NAME)
    create(fake_ctx, owner(world.distributor), "two")
    assert world.database.records.shared_key_value(SERVER_KEY_NAME) == first


def test_a_new_key_gets_the_callers_scopes_or_fewer(fake_ctx: ServiceContext, world: World) -> None:
    caller = KeyCaller(world.customer, frozenset({KEYS_CREATE, MAIL_SEND}), "calling-key")
    everything = create(fake_ctx, caller)
    assert everything.view.scopes == (MAIL_SEND, KEYS_CREATE)
    narrower = asyncio.run(api_keys.create_key(fake_ctx, caller, CreateKey("send", [MAIL_SEND])))
    assert narrower.view.scopes == (MAIL_SEND,)
    [_, entry] = world.database.records.state.audit
    assert json.loads(entry.details)["by_key"] == "calling-key"


def test_scopes_beyond_the_callers_or_unknown_are_refused_and_nothing_is_written(
    fake_ctx: ServiceContext, world: World
) -> None:
    caller = KeyCaller(world.customer, frozenset({KEYS_CREATE}), "calling-key")
    command = CreateKey("wide", [MAIL_SEND, "no.such"])
    with pytest.raises(Invalid) as refused:
        asyncio.run(api_keys.create_key(fake_ctx, caller, command))
    assert [p.field for p in refused.value.problems] == ["scopes", "scopes"]
    assert world.database.records.keys_of(world.customer.account_id) == []
    assert world.database.records.state.audit == []


def test_an_account_holds_at_most_max_keys(fake_ctx: ServiceContext, world: World) -> None:
    caller = owner(world.customer)
    for number in range(MAX_KEYS):
        create(fake_ctx, caller, f"key {number}")
    audited = len(world.database.records.state.audit)
    with pytest.raises(TooManyKeys):
        create(fake_ctx, caller, "one too many")
    assert len(world.database.records.keys_of(world.customer.account_id)) == MAX_KEYS
    assert len(world.database.records.state.audit) == audited
    create(fake_ctx, owner(world.distributor), "another account's first")


def test_each_call_needs_its_scope(fake_ctx: ServiceContext, world: World) -> None:
    key_id = create(fake_ctx, owner(world.customer)).view.key_id
    reader = KeyCaller(world.customer, frozenset({KEYS_READ}), "reader")
    assert asyncio.run(api_keys.get_key(fake_ctx, reader, GetKey(key_id))).name == "deploy"
    with pytest.raises(MissingScope):
        asyncio.run(api_keys.rename_key(fake_ctx, reader, RenameKey(key_id, "renamed")))
    with pytest.raises(MissingScope):
        asyncio.run(api_keys.delete_key(fake_ctx, reader, DeleteKey(key_id)))
    assert world.database.records.key_of(world.customer.account_id, key_id) is not None


def test_another_accounts_key_is_not_found_and_stays(
    fake_ctx: ServiceContext, world: World
) -> None:
    key_id = create(fake_ctx, owner(world.customer)).view.key_id
    stranger = owner(world.other_customer)
    calls = [
        api_keys.get_key(fake_ctx, stranger, GetKey(key_id)),
        api_keys.rename_key(fake_ctx, stranger, RenameKey(key_id, "mine now")),
        api_keys.set_key_scopes(fake_ctx, stranger, SetKeyScopes(key_id, "x", [MAIL_SEND])),
        api_keys.delete_key(fake_ctx, stranger, DeleteKey(key_id)),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            asyncio.run(call)
    listed = asyncio.run(api_keys.list_keys(fake_ctx, stranger, ListKeys()))
    assert listed.keys == []
    record = world.database.records.key_of(world.customer.account_id, key_id)
    assert record is not None and record.name == "deploy"
    assert len(world.database.records.state.audit) == 1  # the creation only


def test_rename_set_scopes_and_delete_are_audited(fake_ctx: ServiceContext, world: World) -> None:
    caller = owner(world.distributor)
    key_id = create(fake_ctx, caller).view.key_id
    renamed = asyncio.run(api_keys.rename_key(fake_ctx, caller, RenameKey(key_id, "ci")))
    assert (renamed.name, renamed.scopes) == ("ci", SCOPES)
    changed = SetKeyScopes(key_id, "sender", [MAIL_SEND])
    assert asyncio.run(api_keys.set_key_scopes(fake_ctx, caller, changed)).scopes == (MAIL_SEND,)
    asyncio.run(api_keys.delete_key(fake_ctx, caller, DeleteKey(key_id)))
    assert world.database.records.keys_of(world.distributor.account_id) == []
    actions = [entry.action for entry in world.database.records.state.audit]
    assert actions == ["api_key.create", "api_key.rename", "api_key.update", "api_key.delete"]


def test_a_bad_name_and_bad_scopes_are_reported_together(
    fake_ctx: ServiceContext, world: World
) -> None:
    caller = owner(world.customer)
    key_id = create(fake_ctx, caller).view.key_id
    command = SetKeyScopes(key_id, "", [])
    with pytest.raises(Invalid) as refused:
        asyncio.run(api_keys.set_key_scopes(fake_ctx, caller, command))
    assert [p.field for p in refused.value.problems] == ["name", "scopes"]
    record = world.database.records.key_of(world.customer.account_id, key_id)
    assert record is not None and record.name == "deploy"
