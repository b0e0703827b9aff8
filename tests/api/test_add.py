"""distributor.add (§4): creating a customer, every rule on its parameters, all-or-nothing."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from ipaddress import IPv6Address
from typing import Any

import httpx
import pytest

from gridreseller.services import operator
from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.support import Clock, errors, message, parse

REQUIRED = (
    "username",
    "password",
    "confirm_password",
    "email",
    "first_name",
    "last_name",
    "address",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "website",
    "company",
    "package",
    "whitelabel",
)
LIMITS = {
    "username": 64,
    "email": 64,
    "first_name": 50,
    "last_name": 50,
    "address": 100,
    "city": 100,
    "state": 100,
    "country": 100,
    "zip": 50,
    "phone": 50,
    "website": 255,
    "company": 255,
    "package": 255,
    "whitelabel": 255,
}
# The distributor.add parameters that profile get shows back under the same name.
LISTED = (
    "username",
    "email",
    "first_name",
    "last_name",
    "address",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "website",
    "company",
)
NON_LATIN_1 = "Zoë 北京 😀"


# Helpers ---------------------------------------------------------------------------------


def add(factory: Factory, fmt: str, distributor: Account, params: dict[str, Any]) -> httpx.Response:
    return factory.call("distributor.add", fmt, distributor, **params)


def valid(distributor: Distributor, **overrides: Any) -> dict[str, Any]:
    """A complete valid parameter set; an override of None leaves the parameter out."""
    params: dict[str, Any] = customer_params(distributor.package)
    params.update(overrides)
    if "password" in overrides and "confirm_password" not in overrides:
        params["confirm_password"] = overrides["password"]
    return params


def names(error: str, param: str) -> bool:
    """The error string names `param` as a word of its own (`password` is not in
    `confirm_password`)."""
    return re.search(rf"(?<!\w){re.escape(param)}(?!\w)", error) is not None


def assert_rejected(response: httpx.Response, *params: str) -> list[str]:
    """A 400 error envelope whose errors name every one of `params`."""
    assert response.status_code == 400, response.text
    found = errors(response)
    for param in params:
        assert any(names(e, param) for e in found), (param, found)
    return found


def assert_added(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert message(response) == "success"


def assert_nothing_created(factory: Factory, distributor: Distributor) -> None:
    assert factory.customers_of(distributor) == []


def padded(prefix: str, length: int, suffix: str = "") -> str:
    return prefix + "x" * (length - len(prefix) - len(suffix)) + suffix


def at_length(param: str, length: int) -> str:
    """A value of `param`, `length` characters long, valid but for its length (a whitelabel
    that long is never a DNS name, so it is only used over the limit)."""
    if param == "email":
        return padded("e", length, "@example.com")
    if param == "whitelabel":
        return padded("w", length, ".com")
    return padded(unique(param[:3]), length)


def fresh_ip() -> str:
    """An address no other test uses (documentation prefix 2001:db8::/32)."""
    return str(IPv6Address((0x20010DB8 << 96) | uuid.uuid4().int >> 64))


# Success ---------------------------------------------------------------------------------


def test_add_stores_every_field(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    params = valid(distributor)
    assert_added(add(factory, fmt, distributor, params))

    listed = factory.call("distributor.manage", fmt, distributor, method="profile", task="get")
    assert listed.status_code == 200
    rows = parse(listed)
    assert len(rows) == 1
    row = rows[0]
    assert {name: row[name] for name in LISTED} == {name: params[name] for name in LISTED}
    assert row["package"] == distributor.package
    assert row["active"] == "true"
    assert row["website_access"] == "true"


def test_new_customer_logs_in_with_its_password(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call("credentials/get", "json", customer)
    assert response.status_code == 200, response.text
    wrong = factory.call("credentials/get", "json", Account(customer.username, "not-the-pass"))
    assert wrong.status_code == 401


# Required parameters ---------------------------------------------------------------------


@pytest.mark.parametrize("param", REQUIRED)
def test_missing_required_parameter(factory: Factory, fmt: str, param: str) -> None:
    distributor = factory.distributor()
    assert_rejected(add(factory, fmt, distributor, valid(distributor, **{param: None})), param)
    assert_nothing_created(factory, distributor)


@pytest.mark.parametrize("param", REQUIRED)
def test_empty_required_parameter(factory: Factory, fmt: str, param: str) -> None:
    distributor = factory.distributor()
    overrides = {param: ""}
    if param == "password":
        overrides["confirm_password"] = ""
    assert_rejected(add(factory, fmt, distributor, valid(distributor, **overrides)), param)
    assert_nothing_created(factory, distributor)


# Lengths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["username", "email", "first_name", "zip", "company"])
def test_value_at_length_limit_is_accepted(factory: Factory, param: str) -> None:
    distributor = factory.distributor()
    value = at_length(param, LIMITS[param])
    assert len(value) == LIMITS[param]
    assert_added(add(factory, "json", distributor, valid(distributor, **{param: value})))
    assert factory.customers_of(distributor)[0][param] == value


def test_package_name_at_length_limit_is_accepted(factory: Factory) -> None:
    distributor = factory.distributor()
    name = padded(unique("pkg"), 255)
    operator.create_package(factory.ctx, distributor.username, operator.PackageSpec(name=name))
    assert_added(add(factory, "json", distributor, valid(distributor, package=name)))
    assert factory.customers_of(distributor)[0]["package"] == name


@pytest.mark.parametrize(("param", "limit"), LIMITS.items())
def test_value_over_length_limit_is_rejected(
    factory: Factory, fmt: str, param: str, limit: int
) -> None:
    distributor = factory.distributor()
    value = at_length(param, limit + 1)
    found = assert_rejected(
        add(factory, fmt, distributor, valid(distributor, **{param: value})), param
    )
    assert any(names(e, param) and str(limit) in e for e in found), found
    assert_nothing_created(factory, distributor)


@pytest.mark.parametrize("length", [6, 256])
def test_password_length_bounds_accepted(factory: Factory, length: int) -> None:
    distributor = factory.distributor()
    password = "p" * length
    params = valid(distributor, password=password)
    assert_added(add(factory, "json", distributor, params))
    customer = Account(params["username"], password)
    assert factory.call("credentials/get", "json", customer).status_code == 200


def test_short_password(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, valid(distributor, password="abcde"))
    assert "password must be at least 6 characters" in assert_rejected(response, "password")
    assert_nothing_created(factory, distributor)


def test_long_password(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, valid(distributor, password="p" * 257))
    assert_rejected(response, "password")
    assert_nothing_created(factory, distributor)


def test_confirm_password_mismatch(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    params = valid(distributor, password="secret-one", confirm_password="secret-two")
    assert_rejected(add(factory, fmt, distributor, params), "confirm_password")
    assert_nothing_created(factory, distributor)


# Characters --------------------------------------------------------------------------------

CONTROL_FIELDS = ("username", "first_name", "address", "company", "phone")


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\t"], ids=["nul", "us", "del", "tab"])
def test_control_characters_rejected(factory: Factory, fmt: str, char: str) -> None:
    distributor = factory.distributor()
    overrides = dict.fromkeys(CONTROL_FIELDS, f"bad{char}value")
    response = add(factory, fmt, distributor, valid(distributor, **overrides))
    assert_rejected(response, *CONTROL_FIELDS)
    assert_nothing_created(factory, distributor)


def test_non_latin_1_text_round_trips(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    fields = ("first_name", "last_name", "address", "city", "state", "country", "company")
    params = valid(distributor, **dict.fromkeys(fields, NON_LATIN_1))
    assert_added(add(factory, fmt, distributor, params))

    listed = factory.call("distributor.manage", fmt, distributor, method="profile", task="get")
    assert listed.status_code == 200
    row = parse(listed)[0]
    assert {name: row[name] for name in fields} == dict.fromkeys(fields, NON_LATIN_1)
    if fmt == "xml":
        # Outside Latin-1 as numeric character references; ë as its Latin-1 byte.
        assert b"&#21271;&#20140;" in listed.content
        assert b"&#128512;" in listed.content
        assert "Zoë".encode("latin-1") in listed.content


# Formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "plainaddress",
        "no-at.example.com",
        "a@",
        "@example.com",
        "a b@example.com",
        "a@@example.com",
        "a@example..com",
    ],
)
def test_invalid_email(factory: Factory, fmt: str, email: str) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, valid(distributor, email=email))
    assert "email must be a valid email address" in assert_rejected(response, "email")
    assert_nothing_created(factory, distributor)


@pytest.mark.parametrize(
    "whitelabel",
    [
        "not a domain",
        "localhost",
        "-bad-.example.com",
        "exa_mple.com",
        "example.com/path",
        "http://example.com",
        "10.0.0.1",
    ],
)
def test_whitelabel_must_be_a_domain(factory: Factory, fmt: str, whitelabel: str) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, valid(distributor, whitelabel=whitelabel))
    assert_rejected(response, "whitelabel")
    assert_nothing_created(factory, distributor)


@pytest.mark.parametrize("value", ["true", "false", "1", "0"])
def test_free_user_accepted(factory: Factory, value: str) -> None:
    distributor = factory.distributor()
    assert_added(add(factory, "json", distributor, valid(distributor, free_user=value)))


def test_free_user_rejects_other_values(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, valid(distributor, free_user="maybe"))
    assert_rejected(response, "free_user")
    assert_nothing_created(factory, distributor)


def test_all_errors_reported_together(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    params = valid(distributor, email="nope", password="abc", city=None, whitelabel="x")
    found = assert_rejected(
        add(factory, fmt, distributor, params), "email", "password", "city", "whitelabel"
    )
    assert "email must be a valid email address" in found
    assert "password must be at least 6 characters" in found
    assert_nothing_created(factory, distributor)


# Billing date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "billing_date", "accepted"),
    [
        (datetime(2024, 5, 15, 0, 0, 0), "2024-05-15", True),
        (datetime(2024, 5, 15, 23, 59, 59), "2024-05-15", True),
        (datetime(2024, 5, 15, 12, 0, 0), "2024-06-15", True),
        (datetime(2024, 5, 15, 12, 0, 0), "2024-06-16", False),
        (datetime(2024, 5, 15, 12, 0, 0), "2024-05-14", False),
        (datetime(2011, 1, 31, 12, 0, 0), "2011-02-28", True),
        (datetime(2011, 1, 31, 12, 0, 0), "2011-03-01", False),
        (datetime(2024, 1, 31, 12, 0, 0), "2024-02-29", True),
        (datetime(2024, 1, 31, 12, 0, 0), "2024-03-01", False),
        (datetime(2025, 12, 15, 12, 0, 0), "2026-01-15", True),
        (datetime(2025, 12, 15, 12, 0, 0), "2026-01-16", False),
    ],
)
def test_billing_date_window(
    factory: Factory, clock: Clock, fmt: str, now: datetime, billing_date: str, accepted: bool
) -> None:
    distributor = factory.distributor()
    clock.now = now
    response = add(factory, fmt, distributor, valid(distributor, billing_date=billing_date))
    if accepted:
        assert_added(response)
    else:
        assert_rejected(response, "billing_date")
        assert_nothing_created(factory, distributor)


@pytest.mark.parametrize(
    "billing_date", ["2024-1-5", "2024-02-30", "tomorrow", "2024/01/20", "20240120"]
)
def test_billing_date_format(factory: Factory, clock: Clock, fmt: str, billing_date: str) -> None:
    distributor = factory.distributor()
    clock.now = datetime(2024, 1, 10, 12, 0, 0)
    response = add(factory, fmt, distributor, valid(distributor, billing_date=billing_date))
    assert_rejected(response, "billing_date")
    assert_nothing_created(factory, distributor)


# Package, IP groups, IPs -------------------------------------------------------------------


def test_package_of_another_distributor(factory: Factory, fmt: str) -> None:
    distributor, other = factory.distributor(), factory.distributor()
    response = add(factory, fmt, distributor, valid(distributor, package=other.package))
    assert_rejected(response, "package")
    assert_nothing_created(factory, distributor)


def test_unknown_package(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, valid(distributor, package=unique("nopkg")))
    assert_rejected(response, "package")
    assert_nothing_created(factory, distributor)


def test_other_own_package(factory: Factory) -> None:
    distributor = factory.distributor()
    package = factory.package(distributor)
    assert_added(add(factory, "json", distributor, valid(distributor, package=package)))
    assert factory.customers_of(distributor)[0]["package"] == package


def test_own_ip_groups(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    groups = [factory.ip_group(distributor, fresh_ip()) for _ in range(2)]
    assert_added(add(factory, fmt, distributor, valid(distributor, ip_group=groups)))
    assert len(factory.customers_of(distributor)) == 1


@pytest.mark.parametrize("whose", ["unknown", "other"])
def test_foreign_ip_group(factory: Factory, fmt: str, whose: str) -> None:
    distributor, other = factory.distributor(), factory.distributor()
    own = factory.ip_group(distributor, fresh_ip())
    foreign = unique("grp") if whose == "unknown" else factory.ip_group(other, fresh_ip())
    response = add(factory, fmt, distributor, valid(distributor, ip_group=[own, foreign]))
    assert_rejected(response, "ip_group")
    assert_nothing_created(factory, distributor)


def test_own_ip_with_has_ip_package(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor(has_ip=True)
    address = fresh_ip()
    factory.ip_group(distributor, address)
    assert_added(add(factory, fmt, distributor, valid(distributor, ip=[address])))
    assert len(factory.customers_of(distributor)) == 1


def test_ip_with_package_lacking_has_ip(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor(has_ip=False)
    address = fresh_ip()
    factory.ip_group(distributor, address)
    response = add(factory, fmt, distributor, valid(distributor, ip=[address]))
    assert_rejected(response, "ip")
    assert_nothing_created(factory, distributor)


@pytest.mark.parametrize("whose", ["other", "nobody", "invalid"])
def test_ip_not_owned_or_invalid(factory: Factory, fmt: str, whose: str) -> None:
    distributor, other = factory.distributor(has_ip=True), factory.distributor(has_ip=True)
    address = {"other": fresh_ip(), "nobody": fresh_ip(), "invalid": "999.1.2.3"}[whose]
    if whose == "other":
        factory.ip_group(other, address)
    response = add(factory, fmt, distributor, valid(distributor, ip=[address]))
    assert_rejected(response, "ip")
    assert_nothing_created(factory, distributor)


# Username uniqueness -----------------------------------------------------------------------


def test_same_username_twice(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = add(factory, fmt, distributor, valid(distributor, username=customer.username))
    assert "username is already taken" in assert_rejected(response, "username")
    assert len(factory.customers_of(distributor)) == 1


def test_username_taken_ignores_case(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor, username=unique("MixedCase") + "@Example.com")
    for variant in (customer.username.upper(), customer.username.lower()):
        response = add(factory, fmt, distributor, valid(distributor, username=variant))
        assert "username is already taken" in assert_rejected(response, "username")
    assert len(factory.customers_of(distributor)) == 1


def taken_by(factory: Factory, kind: str) -> str:
    """A username held by a login of `kind`, none of them the calling distributor's customer."""
    owner = factory.distributor()
    if kind == "distributor":
        return owner.username
    if kind == "credential":
        return factory.credential(owner, api=1).username
    if kind == "customer credential":
        return factory.credential(factory.customer(owner)).username
    if kind == "other distributor's customer":
        return factory.customer(owner).username
    customer = factory.customer(owner)
    deleted = factory.call("distributor.delete", "json", owner, user=customer.username)
    assert deleted.status_code == 200, deleted.text
    return customer.username


@pytest.mark.parametrize(
    "kind",
    [
        "distributor",
        "credential",
        "customer credential",
        "other distributor's customer",
        "deleted customer",
    ],
)
def test_username_taken_by_any_login(factory: Factory, fmt: str, kind: str) -> None:
    distributor = factory.distributor()
    username = taken_by(factory, kind)
    for variant in (username, username.upper()):
        response = add(factory, fmt, distributor, valid(distributor, username=variant))
        assert "username is already taken" in assert_rejected(response, "username")
    assert_nothing_created(factory, distributor)


def test_rejected_request_changes_nothing(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    params = valid(distributor, package=unique("nopkg"))
    assert_rejected(add(factory, fmt, distributor, params), "package")
    assert_nothing_created(factory, distributor)
    assert (
        factory.call(
            "credentials/get", "json", Account(params["username"], params["password"])
        ).status_code
        == 401
    )

    # The username is still free: the same request with a good package goes through.
    assert_added(add(factory, fmt, distributor, {**params, "package": distributor.package}))
    assert [row["username"] for row in factory.customers_of(distributor)] == [params["username"]]


def test_add_requires_distributor_login(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    wrong = Account(distributor.username, "wrong-password")
    assert factory.call("distributor.add", fmt, wrong, **valid(distributor)).status_code == 401
    assert factory.call("distributor.add", fmt, customer, **valid(distributor)).status_code == 403
    assert [row["username"] for row in factory.customers_of(distributor)] == [customer.username]
