"""credentials/get|add|edit|remove (docs/api.md, credentials/*): names, passwords and
permission bits, what an
edit changes, whose credentials a caller reaches; every refusal exact, nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from gridreseller.api.legacy import customers, packages
from gridreseller.api.legacy.credentials import ADD, EDIT, GET, REMOVE
from gridreseller.domain.errors import Forbidden, Problem, Unauthorized
from gridreseller.domain.models import CredentialList, CredentialView, PackageList, Permissions
from tests.factories import Account, Factory, customer_params, unique
from tests.support import Clock
from tests.unit.services.support import logs_in, not_found, problems

PASSWORD = "cred-secret"
TAKEN = [Problem("username", "username is already taken")]
BAD_NAME = "username must be 1 to 64 letters, digits or _ . - @ +"


@pytest.fixture(params=["distributor", "customer"])
def owner(request: pytest.FixtureRequest, factory: Factory) -> Account:
    """The primary account that manages credentials: a distributor or a customer."""
    distributor = factory.distributor()
    return distributor if request.param == "distributor" else factory.customer(distributor)


def add(factory: Factory, account: Account, name: str | None, **params: Any) -> None:
    params.setdefault("password", PASSWORD)
    factory.run(ADD, account, username=name, **params)


def created(factory: Factory, account: Account, **bits: int) -> str:
    """A new credential of `account`; its name."""
    return factory.credential(account, **bits).username


def one(factory: Factory, account: Account, name: str) -> CredentialView:
    found = factory.run(GET, account, username=name)
    assert isinstance(found, CredentialView)
    return found


def names(factory: Factory, account: Account) -> set[str]:
    listed = factory.run(GET, account)
    assert isinstance(listed, CredentialList)
    return {credential.name for credential in listed.credentials}


def bits(factory: Factory, account: Account, name: str) -> Permissions:
    return one(factory, account, name).permissions


def perms(email: int = 0, web: int = 0, api: int = 0) -> Permissions:
    return Permissions(email=email, web=web, api=api)


def may_list_packages(factory: Factory, login: Account) -> bool:
    """Whether the login gets in to distributor.* (and lists its packages there)."""
    try:
        factory.run(packages.LIST, login)
    except (Unauthorized, Forbidden):
        return False
    return True


# add and get ---------------------------------------------------------------------


def test_add_then_get(factory: Factory, owner: Account, clock: Clock) -> None:
    clock.now = datetime(2013, 1, 21, 16, 52, 1)
    name = unique("cred")
    add(factory, owner, name, permissions='{"api": 1}')
    listed = factory.run(GET, owner)
    assert isinstance(listed, CredentialList)
    [credential] = listed.credentials
    assert (credential.name, credential.permissions) == (name, perms(api=1))
    assert credential.created_at == credential.updated_at == datetime(2013, 1, 21, 16, 52, 1)
    assert one(factory, owner, name) == credential


def test_get_lists_every_credential(factory: Factory, owner: Account) -> None:
    made = {created(factory, owner), created(factory, owner, web=1)}
    assert names(factory, owner) == made
    assert len({one(factory, owner, name).id for name in made}) == 2


def test_get_empty_list(factory: Factory, owner: Account) -> None:
    assert factory.run(GET, owner) == CredentialList([])
    assert factory.run(GET, owner, username="") == CredentialList([])


@pytest.mark.parametrize(
    ("permissions", "expected"),
    [
        (None, perms()),
        ("", perms()),
        ("{}", perms()),
        ('{"web": 1}', perms(web=1)),
        ('{"email": 1, "api": 1}', perms(email=1, api=1)),
        ('{"email": 0, "web": 1, "api": 1}', perms(web=1, api=1)),
    ],
)
def test_add_missing_permission_keys_are_zero(
    factory: Factory, owner: Account, permissions: str | None, expected: Permissions
) -> None:
    name = unique("cred")
    add(factory, owner, name, permissions=permissions)
    assert bits(factory, owner, name) == expected


@pytest.mark.parametrize(
    ("permissions", "message"),
    [
        ("not json", "permissions must be a JSON object"),
        ("[1, 0, 1]", "permissions must be a JSON object"),
        ('"api"', "permissions must be a JSON object"),
        ("1", "permissions must be a JSON object"),
        ("null", "permissions must be a JSON object"),
        ("[" * 100_000, "permissions must be a JSON object"),
        ('{"sms": 1}', "permissions may only have the keys email, web and api"),
        ('{"api": 2}', "permissions api must be 0 or 1"),
        ('{"api": true}', "permissions api must be 0 or 1"),
        ('{"api": -1}', "permissions api must be 0 or 1"),
        ('{"api": "1"}', "permissions api must be 0 or 1"),
    ],
    ids=[
        "not-json",
        "list",
        "string",
        "number",
        "null",
        "deeply-nested",
        "unknown-key",
        "two",
        "true",
        "minus-one",
        "quoted",
    ],
)
def test_add_rejects_bad_permissions(
    factory: Factory, owner: Account, permissions: str, message: str
) -> None:
    name = unique("cred")
    params = {"username": name, "password": PASSWORD, "permissions": permissions}
    assert problems(factory, ADD, owner, **params) == [Problem("permissions", message)]
    assert name not in names(factory, owner)


def padded(length: int) -> str:
    name = unique("c")
    return (name + "x" * length)[:length]


@pytest.mark.parametrize(
    "make_name",
    [
        lambda: padded(64),
        lambda: unique("a_b.c-d@e+f") + "_.-@+",
        lambda: unique("MiXeD"),
    ],
    ids=["64-chars", "punctuation", "mixed-case"],
)
def test_add_accepts_valid_usernames(
    factory: Factory, owner: Account, make_name: Callable[[], str]
) -> None:
    name = make_name()
    add(factory, owner, name)
    assert one(factory, owner, name).name == name


def test_one_character_username(factory: Factory, owner: Account) -> None:
    # A single character is global: try letters until one is free in the shared database.
    for candidate in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@+":
        params = {"username": candidate, "password": PASSWORD}
        with factory.ctx.uow.read() as repository:
            taken = repository.username_taken(candidate.lower())
        if taken:
            assert problems(factory, ADD, owner, **params) == TAKEN
            continue
        factory.run(ADD, owner, **params)
        assert one(factory, owner, candidate).name == candidate
        return
    pytest.fail("no one-character username was accepted")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (lambda: padded(65), BAD_NAME),
        (lambda: unique("with space"), BAD_NAME),
        (lambda: unique("bang!"), BAD_NAME),
        (lambda: unique("slash/"), BAD_NAME),
        (lambda: unique("semi;"), BAD_NAME),
        (lambda: unique("ünï"), BAD_NAME),
        (lambda: unique("nul\x00"), BAD_NAME),
        (lambda: "", "username is required"),
        (lambda: None, "username is required"),
    ],
    ids=["65-chars", "space", "bang", "slash", "semicolon", "non-ascii", "nul", "empty", "missing"],
)
def test_add_rejects_bad_usernames(
    factory: Factory, owner: Account, name: Callable[[], str | None], message: str
) -> None:
    found = problems(factory, ADD, owner, username=name(), password=PASSWORD)
    assert found == [Problem("username", message)]
    assert names(factory, owner) == set()


@pytest.mark.parametrize("length", [6, 256])
def test_add_accepts_password_lengths(factory: Factory, length: int) -> None:
    distributor = factory.distributor()
    name = unique("cred")
    password = "p" * length
    add(factory, distributor, name, password=password, permissions='{"api":1}')
    assert may_list_packages(factory, Account(name, password))


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("p" * 5, "password must be at least 6 characters"),
        ("p" * 257, "password must be no more than 256 characters"),
        ("secret\x7fpass", "password must not contain control characters"),
        ("", "password is required"),
        (None, "password is required"),
    ],
    ids=["5-chars", "257-chars", "del", "empty", "missing"],
)
def test_add_rejects_bad_passwords(
    factory: Factory, owner: Account, password: str | None, message: str
) -> None:
    name = unique("cred")
    found = problems(factory, ADD, owner, username=name, password=password)
    assert found == [Problem("password", message)]
    assert name not in names(factory, owner)


def test_add_reports_all_errors_together(factory: Factory, owner: Account) -> None:
    found = problems(factory, ADD, owner, username="bad name", password="x", permissions="{")
    assert found == [
        Problem("username", BAD_NAME),
        Problem("password", "password must be at least 6 characters"),
        Problem("permissions", "permissions must be a JSON object"),
    ]
    assert names(factory, owner) == set()


def taken_name(factory: Factory, owner: Account, kind: str) -> str:
    """A username already held by some login of the given kind."""
    distributor = factory.distributor()
    if kind == "distributor":
        return distributor.username
    if kind == "own account":
        return owner.username
    if kind == "own credential":
        return created(factory, owner)
    if kind == "other credential":
        return created(factory, distributor)
    if kind == "deleted customer":
        return factory.deleted_customer(distributor).username
    return factory.customer(distributor).username


@pytest.mark.parametrize("case", [str, str.upper], ids=["same-case", "upper-case"])
@pytest.mark.parametrize(
    "kind",
    [
        "distributor",
        "own account",
        "customer",
        "deleted customer",
        "own credential",
        "other credential",
    ],
)
def test_add_rejects_taken_username(
    factory: Factory, owner: Account, kind: str, case: Callable[[str], str]
) -> None:
    name = case(taken_name(factory, owner, kind))
    before = names(factory, owner)
    assert problems(factory, ADD, owner, username=name, password=PASSWORD) == TAKEN
    assert names(factory, owner) == before


# edit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"permissions": '{"api": 1}'}, perms(1, 1, 1)),
        ({"permissions": '{"email": 0}'}, perms(0, 1, 0)),
        ({"permissions": "{}"}, perms(1, 1, 0)),
        ({"permissions": ""}, perms(1, 1, 0)),
        ({"api": "1"}, perms(1, 1, 1)),
        ({"web": "0"}, perms(1, 0, 0)),
        ({"permissions": '{"web": 0, "api": 1}', "web": "1", "email": "0"}, perms(0, 1, 1)),
        ({"permissions": '{"api": 1}', "api": "0"}, perms(1, 1, 0)),
        ({}, perms(1, 1, 0)),
        ({"password": "another-secret"}, perms(1, 1, 0)),
    ],
    ids=[
        "permissions-api",
        "permissions-email",
        "permissions-empty",
        "permissions-blank",
        "separate-api",
        "separate-web",
        "separate-wins",
        "separate-wins-zero",
        "nothing",
        "password-only",
    ],
)
def test_edit_changes_only_given_bits(
    factory: Factory, owner: Account, params: dict[str, str], expected: Permissions
) -> None:
    name = created(factory, owner, email=1, web=1)
    factory.run(EDIT, owner, username=name, **params)
    assert bits(factory, owner, name) == expected


def test_edit_that_changes_nothing_succeeds(factory: Factory, owner: Account, clock: Clock) -> None:
    clock.now = datetime(2020, 5, 1, 10, 0, 0)
    name = created(factory, owner, api=1)
    before = one(factory, owner, name)
    clock.advance(60)
    factory.run(EDIT, owner, username=name)
    factory.run(EDIT, owner, username=name, permissions='{"api": 1}')
    assert one(factory, owner, name) == before


def test_edit_moves_updated_at(factory: Factory, owner: Account, clock: Clock) -> None:
    clock.now = datetime(2020, 5, 1, 10, 0, 0)
    name = created(factory, owner)
    clock.now = datetime(2020, 5, 2, 11, 30, 15)
    factory.run(EDIT, owner, username=name, email=1)
    data = one(factory, owner, name)
    assert (data.created_at, data.updated_at) == (
        datetime(2020, 5, 1, 10, 0, 0),
        datetime(2020, 5, 2, 11, 30, 15),
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"password": "short"}, Problem("password", "password must be at least 6 characters")),
        (
            {"password": "p" * 257},
            Problem("password", "password must be no more than 256 characters"),
        ),
        ({"password": ""}, Problem("password", "password is required")),
        ({"permissions": '{"api": 2}'}, Problem("permissions", "permissions api must be 0 or 1")),
        (
            {"permissions": '{"sms": 1}'},
            Problem("permissions", "permissions may only have the keys email, web and api"),
        ),
        ({"permissions": "[]"}, Problem("permissions", "permissions must be a JSON object")),
        ({"email": "2"}, Problem("email", "email must be 0 or 1")),
        ({"web": "yes"}, Problem("web", "web must be 0 or 1")),
        ({"api": "true"}, Problem("api", "api must be 0 or 1")),
        ({"api": ""}, Problem("api", "api must be 0 or 1")),
    ],
)
def test_edit_rejects_bad_values_and_changes_nothing(
    factory: Factory, owner: Account, params: dict[str, str], expected: Problem
) -> None:
    name = created(factory, owner, email=1)
    before = one(factory, owner, name)
    found = problems(factory, EDIT, owner, username=name, **{"web": "1", **params})
    assert found == [expected]
    assert one(factory, owner, name) == before


def test_edit_password_takes_effect_at_once(factory: Factory) -> None:
    distributor = factory.distributor()
    login = factory.credential(distributor, api=1)
    assert may_list_packages(factory, login)
    factory.run(EDIT, distributor, username=login.username, password="brand-new-secret")
    assert not may_list_packages(factory, login)
    assert may_list_packages(factory, Account(login.username, "brand-new-secret"))


def test_edit_api_bit_takes_effect_at_once(factory: Factory) -> None:
    distributor = factory.distributor()
    login = factory.credential(distributor, api=1)
    factory.run(EDIT, distributor, username=login.username, api=0)
    assert not may_list_packages(factory, login)
    factory.run(EDIT, distributor, username=login.username, permissions='{"api": 1}')
    assert may_list_packages(factory, login)


# unknown and foreign credentials -------------------------------------------------------


def foreign_target(factory: Factory, case: str) -> tuple[Account, Account | None, str]:
    """(caller, real owner or None, credential name) where the caller does not own it."""
    distributor = factory.distributor()
    if case == "unknown":
        return distributor, None, unique("nobody")
    if case == "other distributor's":
        other = factory.distributor()
        return distributor, other, created(factory, other)
    customer = factory.customer(distributor)
    if case == "own customer's":
        return distributor, customer, created(factory, customer)
    if case == "own distributor's":
        return customer, distributor, created(factory, distributor)
    sibling = factory.customer(distributor)
    return customer, sibling, created(factory, sibling)


@pytest.mark.parametrize(
    "case",
    ["unknown", "other distributor's", "own customer's", "own distributor's", "sibling's"],
)
@pytest.mark.parametrize(
    ("operation", "params"),
    [
        (GET, {}),
        (EDIT, {"permissions": '{"email": 1, "web": 1, "api": 1}'}),
        (EDIT, {}),
        (REMOVE, {}),
    ],
    ids=["get", "edit", "edit-nothing", "remove"],
)
def test_foreign_credential_is_not_found(
    factory: Factory, case: str, operation: Any, params: dict[str, str]
) -> None:
    caller, real_owner, name = foreign_target(factory, case)
    assert not not_found(factory, operation, caller, username=name, **params).bare
    if real_owner is not None:
        assert bits(factory, real_owner, name) == perms()
    assert name not in names(factory, caller)


def test_tenant_isolation(factory: Factory) -> None:
    first, second = factory.distributor(), factory.distributor()
    customer = factory.customer(first)
    own = {
        account.username: {created(factory, account), created(factory, account)}
        for account in (first, second, customer)
    }
    for account in (first, second, customer):
        assert names(factory, account) == own[account.username]


# remove -----------------------------------------------------------------------------


def test_remove_frees_the_name(factory: Factory, owner: Account) -> None:
    name = created(factory, owner, api=1)
    keep = created(factory, owner)
    factory.run(REMOVE, owner, username=name)
    assert names(factory, owner) == {keep}
    not_found(factory, GET, owner, username=name)
    add(factory, owner, name, permissions='{"web": 1}')
    assert bits(factory, owner, name) == perms(web=1)


def test_removed_name_is_free_for_another_account(factory: Factory) -> None:
    first, second = factory.distributor(), factory.distributor()
    name = created(factory, first)
    factory.run(REMOVE, first, username=name)
    add(factory, second, name)
    assert names(factory, second) == {name}


def test_removed_credential_cannot_log_in(factory: Factory) -> None:
    distributor = factory.distributor()
    login = factory.credential(distributor, api=1)
    assert may_list_packages(factory, login)
    factory.run(REMOVE, distributor, username=login.username)
    assert not logs_in(factory, login.username, login.password)


def test_remove_twice_is_not_found(factory: Factory, owner: Account) -> None:
    name = created(factory, owner)
    factory.run(REMOVE, owner, username=name)
    not_found(factory, REMOVE, owner, username=name)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "username is required"), ("bad name!", BAD_NAME), (None, "username is required")],
    ids=["empty", "bad", "missing"],
)
@pytest.mark.parametrize("operation", [EDIT, REMOVE], ids=["edit", "remove"])
def test_edit_and_remove_need_a_valid_username(
    factory: Factory, owner: Account, operation: Any, name: str | None, message: str
) -> None:
    kept = created(factory, owner)
    assert problems(factory, operation, owner, username=name) == [Problem("username", message)]
    assert names(factory, owner) == {kept}


# a distributor's credential with the api bit ------------------------------------------


def test_distributor_credential_with_api_acts_for_distributor(factory: Factory) -> None:
    distributor = factory.distributor()
    login = factory.credential(distributor, api=1)
    listed = factory.run(packages.LIST, login)
    assert isinstance(listed, PackageList)
    assert [package.name for package in listed.packages] == [distributor.package]
    params = customer_params(distributor.package)
    factory.run(customers.ADD, login, **params)
    assert [row["username"] for row in factory.customers_of(distributor)] == [params["username"]]
