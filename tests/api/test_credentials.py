"""credentials/get|add|edit|remove (§8) and what a credential may do with the API (§9)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.support import Clock, errors, message, parse

PASSWORD = "cred-secret"
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
NOT_FOUND = ["User not found"]
BITS = ("email", "web", "api")


# Helpers ---------------------------------------------------------------------------


@pytest.fixture(params=["distributor", "customer"])
def owner(request: pytest.FixtureRequest, factory: Factory) -> Account:
    """The primary account that manages credentials: a distributor or a customer."""
    distributor = factory.distributor()
    return distributor if request.param == "distributor" else factory.customer(distributor)


def add(
    factory: Factory, account: Account, name: str, fmt: str = "json", **params: Any
) -> httpx.Response:
    params.setdefault("password", PASSWORD)
    return factory.call("credentials/add", fmt, account, username=name, **params)


def edit(factory: Factory, account: Account, name: str, **params: Any) -> httpx.Response:
    return factory.call("credentials/edit", "json", account, username=name, **params)


def created(factory: Factory, account: Account, **bits: int) -> str:
    """A new credential of `account` (via the API); returns its name."""
    name = unique("cred")
    response = add(factory, account, name, permissions=json.dumps(bits))
    assert response.status_code == 200, response.text
    return name


def normalized(data: dict[str, Any]) -> dict[str, Any]:
    """A credential from either format, with ints where the JSON has ints."""
    return {
        "id": int(data["id"]),
        "name": data["name"],
        "permissions": {bit: int(value) for bit, value in data["permissions"].items()},
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }


def one(factory: Factory, account: Account, name: str) -> dict[str, Any]:
    response = factory.call("credentials/get", "json", account, username=name)
    assert response.status_code == 200, response.text
    return normalized(response.json())


def names(factory: Factory, account: Account) -> set[str]:
    response = factory.call("credentials/get", "json", account)
    assert response.status_code == 200, response.text
    return {row["name"] for row in response.json()}


def bits(factory: Factory, account: Account, name: str) -> dict[str, int]:
    return dict(one(factory, account, name)["permissions"])


def perms(email: int = 0, web: int = 0, api: int = 0) -> dict[str, int]:
    return {"email": email, "web": web, "api": api}


def assert_success(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert message(response) == "success"


def assert_invalid(response: httpx.Response, parameter: str) -> None:
    assert response.status_code == 400, response.text
    assert any(parameter in error for error in errors(response)), errors(response)


def packages(factory: Factory, login: Account) -> httpx.Response:
    return factory.call("distributor.packages", "json", login)


def credential_login(factory: Factory, account: Account, **bit_values: int) -> Account:
    return Account(created(factory, account, **bit_values), PASSWORD)


# add and get ---------------------------------------------------------------------


def check_shape(data: dict[str, Any], fmt: str) -> None:
    assert set(data) == {"id", "name", "permissions", "created_at", "updated_at"}
    assert set(data["permissions"]) == set(BITS)
    scalars = [data["id"], *data["permissions"].values()]
    if fmt == "json":
        assert all(type(value) is int for value in scalars), data
    else:
        assert all(isinstance(value, str) and value.isdigit() for value in scalars), data
    assert TIME.fullmatch(data["created_at"]) and TIME.fullmatch(data["updated_at"])


def test_add_then_get(factory: Factory, owner: Account, fmt: str, clock: Clock) -> None:
    clock.now = datetime(2013, 1, 21, 16, 52, 1)
    name = unique("cred")
    assert_success(add(factory, owner, name, fmt, permissions='{"api": 1}'))
    expected = {
        "name": name,
        "permissions": perms(api=1),
        "created_at": "2013-01-21 16:52:01",
        "updated_at": "2013-01-21 16:52:01",
    }

    listed = factory.call("credentials/get", fmt, owner)
    assert listed.status_code == 200
    rows = parse(listed)
    assert isinstance(rows, list) and len(rows) == 1
    check_shape(rows[0], fmt)
    assert {k: v for k, v in normalized(rows[0]).items() if k != "id"} == expected

    single = factory.call("credentials/get", fmt, owner, username=name)
    assert single.status_code == 200
    data = parse(single)
    assert isinstance(data, dict)
    check_shape(data, fmt)
    assert normalized(data) == normalized(rows[0])
    if fmt == "xml":
        assert ET.fromstring(listed.content).tag == "credentials"
        assert ET.fromstring(single.content).tag == "credential"


def test_get_lists_every_credential(factory: Factory, owner: Account) -> None:
    made = {created(factory, owner), created(factory, owner, web=1)}
    assert names(factory, owner) == made
    ids = {one(factory, owner, name)["id"] for name in made}
    assert len(ids) == 2


def test_get_empty_list(factory: Factory, owner: Account, fmt: str) -> None:
    response = factory.call("credentials/get", fmt, owner)
    assert response.status_code == 200
    assert parse(response) == []


@pytest.mark.parametrize(
    ("permissions", "expected"),
    [
        (None, perms()),
        ("{}", perms()),
        ('{"web": 1}', perms(web=1)),
        ('{"email": 1, "api": 1}', perms(email=1, api=1)),
        ('{"email": 0, "web": 1, "api": 1}', perms(web=1, api=1)),
    ],
)
def test_add_missing_permission_keys_are_zero(
    factory: Factory, owner: Account, permissions: str | None, expected: dict[str, int]
) -> None:
    name = unique("cred")
    assert_success(add(factory, owner, name, permissions=permissions))
    assert bits(factory, owner, name) == expected


@pytest.mark.parametrize(
    "permissions",
    [
        "not json",
        "[1, 0, 1]",
        '"api"',
        "1",
        "null",
        '{"sms": 1}',
        '{"api": 2}',
        '{"api": true}',
        '{"api": -1}',
    ],
)
def test_add_rejects_bad_permissions(
    factory: Factory, owner: Account, fmt: str, permissions: str
) -> None:
    name = unique("cred")
    assert_invalid(add(factory, owner, name, fmt, permissions=permissions), "permissions")
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
    assert_success(add(factory, owner, name))
    assert one(factory, owner, name)["name"] == name


def test_one_character_username(factory: Factory, owner: Account) -> None:
    # A single character is global: try letters until one is free in the shared database.
    for candidate in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@+":
        response = add(factory, owner, candidate)
        if response.status_code == 200:
            assert one(factory, owner, candidate)["name"] == candidate
            return
        assert_invalid(response, "username")
    pytest.fail("no one-character username was accepted")


@pytest.mark.parametrize(
    "name",
    [
        lambda: padded(65),
        lambda: unique("with space"),
        lambda: unique("bang!"),
        lambda: "",
        lambda: unique("slash/"),
        lambda: unique("semi;"),
        lambda: None,
    ],
    ids=["65-chars", "space", "bang", "empty", "slash", "semicolon", "missing"],
)
def test_add_rejects_bad_usernames(
    factory: Factory, owner: Account, fmt: str, name: Callable[[], str | None]
) -> None:
    value = name()
    response = factory.call("credentials/add", fmt, owner, username=value, password=PASSWORD)
    assert_invalid(response, "username")
    assert names(factory, owner) == set()


@pytest.mark.parametrize("length", [6, 256])
def test_add_accepts_password_lengths(factory: Factory, length: int) -> None:
    distributor = factory.distributor()
    name = unique("cred")
    password = "p" * length
    assert_success(add(factory, distributor, name, password=password, permissions='{"api":1}'))
    assert packages(factory, Account(name, password)).status_code == 200


@pytest.mark.parametrize("password", ["p" * 5, "p" * 257, "", None])
def test_add_rejects_bad_passwords(
    factory: Factory, owner: Account, fmt: str, password: str | None
) -> None:
    name = unique("cred")
    assert_invalid(add(factory, owner, name, fmt, password=password), "password")
    assert name not in names(factory, owner)


def test_add_reports_all_errors_together(factory: Factory, owner: Account) -> None:
    response = add(factory, owner, "bad name", password="x", permissions="{")
    assert response.status_code == 400
    found = errors(response)
    for parameter in ("username", "password", "permissions"):
        assert any(parameter in error for error in found), found


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
    customer = factory.customer(distributor)
    if kind == "deleted customer":
        deleted = factory.call("distributor.delete", "json", distributor, user=customer.username)
        assert deleted.status_code == 200, deleted.text
    return customer.username


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
@pytest.mark.parametrize("case", [str, str.upper], ids=["same-case", "upper-case"])
def test_add_rejects_taken_username(
    factory: Factory, owner: Account, kind: str, case: Callable[[str], str]
) -> None:
    name = case(taken_name(factory, owner, kind))
    before = names(factory, owner)
    assert_invalid(add(factory, owner, name), "username")
    assert names(factory, owner) == before


# edit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"permissions": '{"api": 1}'}, perms(1, 1, 1)),
        ({"permissions": '{"email": 0}'}, perms(0, 1, 0)),
        ({"permissions": "{}"}, perms(1, 1, 0)),
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
        "separate-api",
        "separate-web",
        "separate-wins",
        "separate-wins-zero",
        "nothing",
        "password-only",
    ],
)
def test_edit_changes_only_given_bits(
    factory: Factory, owner: Account, params: dict[str, str], expected: dict[str, int]
) -> None:
    name = created(factory, owner, email=1, web=1)
    assert_success(edit(factory, owner, name, **params))
    assert bits(factory, owner, name) == expected


def test_edit_success_envelope_in_both_formats(factory: Factory, owner: Account, fmt: str) -> None:
    name = created(factory, owner)
    response = factory.call("credentials/edit", fmt, owner, username=name, web=1)
    assert_success(response)
    assert bits(factory, owner, name) == perms(web=1)


def test_edit_that_changes_nothing_succeeds(factory: Factory, owner: Account) -> None:
    name = created(factory, owner, api=1)
    before = one(factory, owner, name)
    assert_success(edit(factory, owner, name))
    assert_success(edit(factory, owner, name, permissions='{"api": 1}'))
    assert one(factory, owner, name) == before


def test_edit_moves_updated_at(factory: Factory, owner: Account, clock: Clock) -> None:
    clock.now = datetime(2020, 5, 1, 10, 0, 0)
    name = created(factory, owner)
    clock.now = datetime(2020, 5, 2, 11, 30, 15)
    assert_success(edit(factory, owner, name, email=1))
    data = one(factory, owner, name)
    assert (data["created_at"], data["updated_at"]) == (
        "2020-05-01 10:00:00",
        "2020-05-02 11:30:15",
    )


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"password": "short"}, "password"),
        ({"password": "p" * 257}, "password"),
        ({"permissions": '{"api": 2}'}, "permissions"),
        ({"permissions": '{"sms": 1}'}, "permissions"),
        ({"permissions": "[]"}, "permissions"),
        ({"email": "2"}, "email"),
        ({"web": "yes"}, "web"),
        ({"api": "true"}, "api"),
    ],
)
def test_edit_rejects_bad_values_and_changes_nothing(
    factory: Factory, owner: Account, params: dict[str, str], parameter: str
) -> None:
    name = created(factory, owner, email=1)
    before = one(factory, owner, name)
    assert_invalid(edit(factory, owner, name, **{"web": "1", **params}), parameter)
    assert one(factory, owner, name) == before


def test_edit_password_takes_effect_at_once(factory: Factory) -> None:
    distributor = factory.distributor()
    login = credential_login(factory, distributor, api=1)
    assert packages(factory, login).status_code == 200
    assert_success(edit(factory, distributor, login.username, password="brand-new-secret"))
    assert packages(factory, login).status_code == 401
    assert packages(factory, Account(login.username, "brand-new-secret")).status_code == 200


def test_edit_api_bit_takes_effect_at_once(factory: Factory) -> None:
    distributor = factory.distributor()
    login = credential_login(factory, distributor, api=1)
    assert_success(edit(factory, distributor, login.username, api=0))
    assert packages(factory, login).status_code == 403
    assert_success(edit(factory, distributor, login.username, permissions='{"api": 1}'))
    assert packages(factory, login).status_code == 200


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
    ("call", "params"),
    [
        ("credentials/get", {}),
        ("credentials/edit", {"permissions": '{"email": 1, "web": 1, "api": 1}'}),
        ("credentials/edit", {}),
        ("credentials/remove", {}),
    ],
    ids=["get", "edit", "edit-nothing", "remove"],
)
def test_foreign_credential_is_not_found(
    factory: Factory, fmt: str, case: str, call: str, params: dict[str, str]
) -> None:
    caller, real_owner, name = foreign_target(factory, case)
    response = factory.call(call, fmt, caller, username=name, **params)
    assert response.status_code == 404, response.text
    assert errors(response) == NOT_FOUND
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


def test_remove_frees_the_name(factory: Factory, owner: Account, fmt: str) -> None:
    name = created(factory, owner, api=1)
    keep = created(factory, owner)
    assert_success(factory.call("credentials/remove", fmt, owner, username=name))
    assert names(factory, owner) == {keep}
    gone = factory.call("credentials/get", "json", owner, username=name)
    assert gone.status_code == 404
    assert errors(gone) == NOT_FOUND
    assert_success(add(factory, owner, name, permissions='{"web": 1}'))
    assert bits(factory, owner, name) == perms(web=1)


def test_removed_name_is_free_for_another_account(factory: Factory) -> None:
    first, second = factory.distributor(), factory.distributor()
    name = created(factory, first)
    assert_success(factory.call("credentials/remove", "json", first, username=name))
    assert_success(add(factory, second, name))
    assert names(factory, second) == {name}


def test_removed_credential_cannot_log_in(factory: Factory) -> None:
    distributor = factory.distributor()
    login = credential_login(factory, distributor, api=1)
    assert packages(factory, login).status_code == 200
    assert_success(factory.call("credentials/remove", "json", distributor, username=login.username))
    response = packages(factory, login)
    assert response.status_code == 401
    assert errors(response) == ["Bad username / password"]


def test_remove_twice_is_not_found(factory: Factory, owner: Account) -> None:
    name = created(factory, owner)
    assert_success(factory.call("credentials/remove", "json", owner, username=name))
    again = factory.call("credentials/remove", "json", owner, username=name)
    assert again.status_code == 404
    assert errors(again) == NOT_FOUND


@pytest.mark.parametrize("call", ["credentials/edit", "credentials/remove"])
@pytest.mark.parametrize("name", ["", "bad name!", None])
def test_edit_and_remove_need_a_valid_username(
    factory: Factory, owner: Account, call: str, name: str | None
) -> None:
    assert_invalid(factory.call(call, "json", owner, username=name), "username")


# what a credential may do -------------------------------------------------------------


CREDENTIAL_CALLS: list[tuple[str, Callable[[str], dict[str, str]]]] = [
    ("credentials/get", lambda name: {}),
    ("credentials/add", lambda name: {"username": unique("cred"), "password": PASSWORD}),
    ("credentials/edit", lambda name: {"username": name, "permissions": '{"web": 1}'}),
    ("credentials/remove", lambda name: {"username": name}),
]


@pytest.mark.parametrize(
    ("call", "make_params"), CREDENTIAL_CALLS, ids=["get", "add", "edit", "remove"]
)
def test_credential_cannot_manage_credentials(
    factory: Factory,
    owner: Account,
    fmt: str,
    call: str,
    make_params: Callable[[str], dict[str, str]],
) -> None:
    login = credential_login(factory, owner, email=1, web=1, api=1)
    before = names(factory, owner)
    response = factory.call(call, fmt, login, **make_params(login.username))
    assert response.status_code == 403, response.text
    assert message(response) == "error"
    assert names(factory, owner) == before
    assert bits(factory, owner, login.username) == perms(1, 1, 1)


def test_distributor_credential_with_api_acts_for_distributor(factory: Factory, fmt: str) -> None:
    distributor: Distributor = factory.distributor()
    login = credential_login(factory, distributor, api=1)
    listed = factory.call("distributor.packages", fmt, login)
    assert listed.status_code == 200, listed.text
    rows = parse(listed)["packages"] if fmt == "xml" else parse(listed)
    assert [row["name"] for row in rows] == [distributor.package]
    params = customer_params(distributor.package)
    assert_success(factory.call("distributor.add", fmt, login, **params))
    usernames = [row["username"] for row in factory.customers_of(distributor)]
    assert usernames == [params["username"]]


@pytest.mark.parametrize(
    "bit_values", [{}, {"email": 1, "web": 1}, {"email": 1}], ids=["none", "email+web", "email"]
)
def test_distributor_credential_without_api_is_forbidden(
    factory: Factory, fmt: str, bit_values: dict[str, int]
) -> None:
    login = credential_login(factory, factory.distributor(), **bit_values)
    response = factory.call("distributor.packages", fmt, login)
    assert response.status_code == 403, response.text
    assert message(response) == "error"


@pytest.mark.parametrize(
    "call", ["distributor.packages", "distributor.manage", "distributor.add", "distributor.delete"]
)
def test_customer_credential_cannot_call_distributor_api(
    factory: Factory, fmt: str, call: str
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    login = credential_login(factory, customer, email=1, web=1, api=1)
    response = factory.call(call, fmt, login, method="profile", task="get", user=customer.username)
    assert response.status_code == 403, response.text
    assert message(response) == "error"
    assert [row["username"] for row in factory.customers_of(distributor)] == [customer.username]
