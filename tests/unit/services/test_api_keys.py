"""API keys (issue 20) as the services manage them: the key's form, what is stored of
it, names and scopes, the limit per account, who may manage keys, each call's scope,
the audit trail. Every refusal exact and nothing written. Authentication with a key:
test_api_key_authentication.py."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from gridreseller.db.tables import ApiKey, AuditEvent
from gridreseller.domain.access import Denial, Purpose
from gridreseller.domain.api_keys import (
    ALL_SCOPES,
    KEYS_CREATE,
    KEYS_DELETE,
    KEYS_READ,
    KEYS_UPDATE,
    MAIL_SEND,
    MAX_KEYS,
    SCOPES,
    SCOPES_READ,
    KeyCaller,
    MissingScope,
    TooManyKeys,
)
from gridreseller.domain.errors import Forbidden, Invalid, NotFound, Problem
from gridreseller.identity.api_keys import SERVER_KEY_NAME
from gridreseller.services import api_keys
from gridreseller.services.api_keys import (
    DeleteKey,
    GetKey,
    KeyList,
    KeyView,
    ListKeys,
    RenameKey,
    SetKeyScopes,
)
from tests.database import unit_of_work
from tests.factories import CLIENT, Account, Factory, run_coroutine
from tests.unit.services.key_support import as_key, authenticate, create, login

KEY_FORM = re.compile(r"SG\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}")


@pytest.fixture(params=["distributor", "customer"])
def owner(request: pytest.FixtureRequest, factory: Factory) -> Account:
    """A primary account, which may hold keys: a distributor or a customer."""
    distributor = factory.distributor()
    return distributor if request.param == "distributor" else factory.customer(distributor)


def listed(factory: Factory, caller: KeyCaller) -> list[KeyView]:
    found = run_coroutine(api_keys.list_keys(factory.ctx, caller, ListKeys()))
    assert isinstance(found, KeyList)
    return found.keys


def invalid(call: Callable[[], Any]) -> list[Problem]:
    with pytest.raises(Invalid) as raised:
        call()
    return raised.value.problems


def stored_keys(factory: Factory) -> int:
    with unit_of_work(factory.ctx).read() as repository:
        return int(repository.session.scalar(select(func.count()).select_from(ApiKey)) or 0)


# Creating, and what is kept -------------------------------------------------------------


def test_a_new_key_is_shown_once_and_only_its_keyed_hash_is_kept(
    factory: Factory, owner: Account
) -> None:
    caller = login(factory, owner)
    created = create(factory, caller, "deploy")
    assert KEY_FORM.fullmatch(created.key)
    _, key_id, secret = created.key.split(".")
    assert created.view.key_id == key_id and created.view.name == "deploy"
    assert created.view.scopes == SCOPES  # without scopes: all the caller holds
    assert listed(factory, caller) == [created.view]
    got = run_coroutine(api_keys.get_key(factory.ctx, caller, GetKey(key_id)))
    assert got == created.view and secret not in repr(got)
    with unit_of_work(factory.ctx).read() as repository:
        row = repository.session.execute(select(ApiKey).where(ApiKey.key_id == key_id)).scalar_one()
        server_key = repository.shared_key_value(SERVER_KEY_NAME)
    assert server_key is not None and len(bytes.fromhex(server_key)) == 32
    expected = hmac.new(bytes.fromhex(server_key), secret.encode(), hashlib.sha256).hexdigest()
    assert row.secret_hash == expected
    assert secret not in f"{row.key_id}{row.name}{row.scopes}{row.secret_hash}"


def test_two_keys_never_share_an_id_or_a_secret(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    keys = [create(factory, caller, f"k{number}").key for number in range(20)]
    ids = {key.split(".")[1] for key in keys}
    secrets_ = {key.split(".")[2] for key in keys}
    assert len(ids) == len(secrets_) == 20


def test_changes_are_audited_by_id_and_name_never_the_key(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    created = create(factory, caller, "ci", [MAIL_SEND, KEYS_UPDATE])
    key_id, secret = created.view.key_id, created.key.split(".")[2]
    ctx, by_key = factory.ctx, as_key(factory, created.key)
    run_coroutine(api_keys.rename_key(ctx, by_key, RenameKey(key_id, "ci-2")))
    run_coroutine(api_keys.set_key_scopes(ctx, caller, SetKeyScopes(key_id, "ci-3", [MAIL_SEND])))
    run_coroutine(api_keys.delete_key(ctx, caller, DeleteKey(key_id)))
    with unit_of_work(ctx).read() as repository:
        query = select(AuditEvent).where(AuditEvent.target == key_id).order_by(AuditEvent.id)
        events = repository.session.execute(query).scalars().all()
        every = repository.session.execute(select(AuditEvent.details)).scalars().all()
    assert [(e.action, e.actor, e.details) for e in events] == [
        (
            "api_key.create",
            owner.username,
            '{"name": "ci", "scopes": ["mail.send", "api_keys.update"]}',
        ),
        ("api_key.rename", owner.username, f'{{"by_key": "{key_id}", "name": "ci-2"}}'),
        ("api_key.update", owner.username, '{"name": "ci-3", "scopes": ["mail.send"]}'),
        ("api_key.delete", owner.username, '{"name": "ci-3"}'),
    ]
    assert not [details for details in every if secret in details]


# Names and scopes ------------------------------------------------------------------------

NAME_PROBLEMS = {
    "empty": ("", "name is required"),
    "101 characters": ("n" * 101, "name must be no more than 100 characters"),
    "a control character": ("a\x07b", "name must not contain control characters"),
}


@pytest.mark.parametrize(("name", "message"), NAME_PROBLEMS.values(), ids=NAME_PROBLEMS)
def test_a_bad_name_is_refused_on_name_and_nothing_written(
    factory: Factory, owner: Account, name: str, message: str
) -> None:
    caller = login(factory, owner)
    kept = create(factory, caller, "kept").view
    before = stored_keys(factory)
    ctx = factory.ctx
    assert invalid(lambda: create(factory, caller, name)) == [Problem("name", message)]
    rename = RenameKey(kept.key_id, name)
    assert invalid(lambda: run_coroutine(api_keys.rename_key(ctx, caller, rename))) == [
        Problem("name", message)
    ]
    assert stored_keys(factory) == before and listed(factory, caller) == [kept]


def test_names_of_one_to_a_hundred_characters_in_any_script(
    factory: Factory, owner: Account
) -> None:
    caller = login(factory, owner)
    for name in ("x", "n" * 100, "Schlüssel für 送信 🔑", "same", "same"):
        assert create(factory, caller, name).view.name == name


SCOPE_PROBLEMS = {
    "empty list": ([], "scopes must name at least one scope"),
    "unknown": ([MAIL_SEND, "mail.read", "admin"], "scopes has unknown scopes: admin, mail.read"),
}


@pytest.mark.parametrize(("scopes", "message"), SCOPE_PROBLEMS.values(), ids=SCOPE_PROBLEMS)
def test_bad_scopes_are_refused_on_scopes(
    factory: Factory, owner: Account, scopes: list[str], message: str
) -> None:
    caller = login(factory, owner)
    assert invalid(lambda: create(factory, caller, "k", scopes)) == [Problem("scopes", message)]
    assert listed(factory, caller) == []


def test_scopes_are_kept_once_each_in_a_fixed_order(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    asked = [SCOPES_READ, MAIL_SEND, SCOPES_READ, KEYS_READ]
    assert create(factory, caller, "k", asked).view.scopes == (MAIL_SEND, KEYS_READ, SCOPES_READ)


def test_a_key_grants_no_scope_it_lacks(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    parent = create(factory, caller, "parent", [MAIL_SEND, KEYS_CREATE, KEYS_UPDATE])
    by_key = as_key(factory, parent.key)
    child = create(factory, by_key, "child")  # without scopes: what the key holds
    assert child.view.scopes == (MAIL_SEND, KEYS_CREATE, KEYS_UPDATE)
    message = "scopes may not grant scopes the caller lacks: api_keys.read, api_keys.delete"
    asked = [MAIL_SEND, KEYS_DELETE, KEYS_READ]
    assert invalid(lambda: create(factory, by_key, "wider", asked)) == [Problem("scopes", message)]
    wider = SetKeyScopes(child.view.key_id, "child", asked)
    ctx = factory.ctx
    assert invalid(lambda: run_coroutine(api_keys.set_key_scopes(ctx, by_key, wider))) == [
        Problem("scopes", message)
    ]
    narrower = SetKeyScopes(child.view.key_id, "child", [MAIL_SEND])
    assert run_coroutine(api_keys.set_key_scopes(ctx, by_key, narrower)).scopes == (MAIL_SEND,)
    assert authenticate(factory, child.key).scopes == {MAIL_SEND}  # at its next request


def test_set_scopes_reports_every_problem_together(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    key_id = create(factory, caller).view.key_id
    command = SetKeyScopes(key_id, "", ["nope"])
    assert invalid(
        lambda: run_coroutine(api_keys.set_key_scopes(factory.ctx, caller, command))
    ) == [
        Problem("name", "name is required"),
        Problem("scopes", "scopes has unknown scopes: nope"),
    ]


# Who may, and how many -------------------------------------------------------------------


def test_at_most_a_hundred_keys_per_account(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    made = [create(factory, caller, f"k{number}") for number in range(MAX_KEYS)]
    with pytest.raises(TooManyKeys):
        create(factory, caller, "one too many")
    assert len(listed(factory, caller)) == MAX_KEYS
    other = login(factory, factory.distributor())
    create(factory, other)  # another account's count is its own
    run_coroutine(api_keys.delete_key(factory.ctx, caller, DeleteKey(made[0].view.key_id)))
    create(factory, caller, "room again")


def test_credentials_hold_and_manage_no_keys(factory: Factory) -> None:
    """A distributor's credential gets into the API, but not to keys; a customer's
    credential is refused on the API before that."""
    distributor = factory.distributor()
    credential = factory.credential(distributor, email=1, web=1, api=1)
    principal = run_coroutine(
        factory.ctx.identity.authenticate(
            credential.username, credential.password, CLIENT, Purpose.API_DISTRIBUTOR
        )
    )
    with pytest.raises(Forbidden) as raised:
        KeyCaller.login(principal)
    assert raised.value.denial is Denial.CREDENTIAL_NOT_PRIMARY
    customers_credential = factory.credential(factory.customer(distributor), email=1, api=1)
    with pytest.raises(Forbidden) as raised:
        login(factory, customers_credential)
    assert raised.value.denial is Denial.CREDENTIAL_NOT_PRIMARY


KeyCall = Callable[[Factory, KeyCaller, str], object]
CALLS: dict[str, tuple[str, KeyCall]] = {
    "create": (KEYS_CREATE, lambda f, c, _k: create(f, c, "new", [MAIL_SEND])),
    "list": (KEYS_READ, lambda f, c, _k: listed(f, c)),
    "get": (KEYS_READ, lambda f, c, k: run_coroutine(api_keys.get_key(f.ctx, c, GetKey(k)))),
    "rename": (
        KEYS_UPDATE,
        lambda f, c, k: run_coroutine(api_keys.rename_key(f.ctx, c, RenameKey(k, "r"))),
    ),
    "set scopes": (
        KEYS_UPDATE,
        lambda f, c, k: run_coroutine(
            api_keys.set_key_scopes(f.ctx, c, SetKeyScopes(k, "s", [MAIL_SEND]))
        ),
    ),
    "delete": (
        KEYS_DELETE,
        lambda f, c, k: run_coroutine(api_keys.delete_key(f.ctx, c, DeleteKey(k))),
    ),
    "scopes": (SCOPES_READ, lambda _f, c, _k: api_keys.scopes_of(c)),
}


@pytest.mark.parametrize(("scope", "call"), CALLS.values(), ids=CALLS)
def test_each_call_needs_its_scope(factory: Factory, scope: str, call: KeyCall) -> None:
    caller = login(factory, factory.distributor())
    target = create(factory, caller, "target", [MAIL_SEND]).view.key_id
    lacking = create(factory, caller, "lacking", sorted(ALL_SCOPES - {scope}))
    before = listed(factory, caller)
    with pytest.raises(MissingScope) as raised:
        call(factory, as_key(factory, lacking.key), target)
    assert raised.value.scope == scope
    assert listed(factory, caller) == before
    holding = create(factory, caller, "holding", [scope, MAIL_SEND])
    call(factory, as_key(factory, holding.key), target)


def test_scopes_of_a_login_and_of_a_key(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    assert api_keys.scopes_of(caller).scopes == SCOPES
    key = create(factory, caller, "k", [SCOPES_READ, MAIL_SEND]).key
    assert api_keys.scopes_of(as_key(factory, key)).scopes == (MAIL_SEND, SCOPES_READ)


@pytest.mark.parametrize("call", ["get", "rename", "set scopes", "delete"])
def test_another_accounts_key_is_not_found_like_an_unknown_one(factory: Factory, call: str) -> None:
    mine = login(factory, factory.distributor())
    theirs = create(factory, login(factory, factory.distributor()), "theirs")
    _scope, run = CALLS[call]
    for key_id in (theirs.view.key_id, "A" * 16, ""):
        with pytest.raises(NotFound) as raised:
            run(factory, mine, key_id)
        assert raised.value.message == "API key not found"
    assert authenticate(factory, theirs.key).scopes == set(SCOPES)  # untouched
