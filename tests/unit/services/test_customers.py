"""distributor.add (docs/api.md, distributor.add) and distributor.delete (docs/api.md,
distributor.delete): every rule on their parameters,
each refusal with its exact problems and nothing written."""

from __future__ import annotations

import uuid
from datetime import datetime
from ipaddress import IPv6Address
from typing import Any

import pytest

from gridreseller.api.legacy import customers, manage
from gridreseller.domain.errors import Problem
from gridreseller.services import operator
from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.support import Clock
from tests.unit.services.support import logs_in, not_found, problems

# Parameters in the order distributor.add declares them (and reports their problems).
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
    "zip": 50,
    "country": 100,
    "phone": 50,
    "website": 255,
    "company": 255,
    "package": 255,
    "whitelabel": 255,
}
# The distributor.add parameters that profile get shows back under the same name.
LISTED = tuple(
    name
    for name in REQUIRED
    if name not in ("password", "confirm_password", "package", "whitelabel")
)
NON_LATIN_1 = "Zoë 北京 😀"
TAKEN = [Problem("username", "username is already taken")]


def valid(distributor: Distributor, **overrides: Any) -> dict[str, Any]:
    """A complete valid parameter set; an override of None leaves the parameter out."""
    params: dict[str, Any] = customer_params(distributor.package)
    params.update(overrides)
    if "password" in overrides and "confirm_password" not in overrides:
        params["confirm_password"] = overrides["password"]
    return params


def refused(factory: Factory, distributor: Distributor, **overrides: Any) -> list[Problem]:
    """The problems of an add with these changes to a valid request; nothing was added."""
    params = valid(distributor, **overrides)
    found = problems(factory, customers.ADD, distributor, **params)
    assert_nothing_created(factory, distributor, params.get("username"))
    return found


def added(factory: Factory, distributor: Distributor, **overrides: Any) -> dict[str, str]:
    """Add with these changes to a valid request; the customer's listed row."""
    params = valid(distributor, **overrides)
    factory.run(customers.ADD, distributor, **params)
    row = factory.customer_row(distributor, params["username"])
    assert row is not None
    return row


def assert_nothing_created(factory: Factory, distributor: Distributor, username: Any) -> None:
    assert factory.customers_of(distributor) == []
    if isinstance(username, str) and username:
        assert not logs_in(factory, username, "secret-pass")


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


def test_add_stores_every_field(factory: Factory) -> None:
    distributor = factory.distributor()
    params = valid(distributor)
    row = added(factory, distributor, **params)
    assert {name: row[name] for name in LISTED} == {name: params[name] for name in LISTED}
    assert (row["package"], row["active"], row["website_access"]) == (
        distributor.package,
        "true",
        "true",
    )
    assert len(factory.customers_of(distributor)) == 1


def test_new_customer_logs_in_with_its_password(factory: Factory) -> None:
    customer = factory.customer(factory.distributor())
    assert logs_in(factory, customer.username, customer.password)
    assert not logs_in(factory, customer.username, "not-the-pass")


def test_non_latin_1_text_is_stored_as_given(factory: Factory) -> None:
    distributor = factory.distributor()
    fields = ("first_name", "last_name", "address", "city", "state", "country", "company")
    row = added(factory, distributor, **dict.fromkeys(fields, NON_LATIN_1))
    assert {name: row[name] for name in fields} == dict.fromkeys(fields, NON_LATIN_1)


# Required parameters ---------------------------------------------------------------------

MISSING = {
    name: [Problem(name, f"{name} is required")] for name in REQUIRED if name != "password"
} | {
    # Leaving out the password leaves out its confirmation too (see `valid`).
    "password": [
        Problem("password", "password is required"),
        Problem("confirm_password", "confirm_password is required"),
    ]
}
EMPTY = {
    name: [Problem(name, f"{name} must not be empty")]
    for name in REQUIRED
    if name not in ("password", "confirm_password")
} | {
    "password": [
        Problem("password", "password is required"),
        Problem("confirm_password", "confirm_password is required"),
    ],
    "confirm_password": [Problem("confirm_password", "confirm_password is required")],
}


@pytest.mark.parametrize("param", REQUIRED)
def test_missing_required_parameter(factory: Factory, param: str) -> None:
    distributor = factory.distributor()
    assert refused(factory, distributor, **{param: None}) == MISSING[param]


@pytest.mark.parametrize("param", REQUIRED)
def test_empty_required_parameter(factory: Factory, param: str) -> None:
    distributor = factory.distributor()
    overrides = {param: ""}
    if param == "password":
        overrides["confirm_password"] = ""
    assert refused(factory, distributor, **overrides) == EMPTY[param]


# Lengths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["username", "email", "first_name", "zip", "company"])
def test_value_at_length_limit_is_accepted(factory: Factory, param: str) -> None:
    distributor = factory.distributor()
    value = at_length(param, LIMITS[param])
    assert len(value) == LIMITS[param]
    assert added(factory, distributor, **{param: value})[param] == value


def test_package_name_at_length_limit_is_accepted(factory: Factory) -> None:
    distributor = factory.distributor()
    name = padded(unique("pkg"), 255)
    operator.create_package(factory.ctx, distributor.username, operator.PackageSpec(name=name))
    assert added(factory, distributor, package=name)["package"] == name


@pytest.mark.parametrize(("param", "limit"), LIMITS.items())
def test_value_over_length_limit_is_rejected(factory: Factory, param: str, limit: int) -> None:
    distributor = factory.distributor()
    found = refused(factory, distributor, **{param: at_length(param, limit + 1)})
    assert found == [Problem(param, f"{param} must be no more than {limit} characters")]


@pytest.mark.parametrize("length", [6, 256])
def test_password_length_bounds_accepted(factory: Factory, length: int) -> None:
    distributor = factory.distributor()
    password = "p" * length
    row = added(factory, distributor, password=password)
    assert logs_in(factory, row["username"], password)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"password": "abcde"}, [Problem("password", "password must be at least 6 characters")]),
        (
            {"password": "p" * 257},
            [Problem("password", "password must be no more than 256 characters")],
        ),
        (
            {"password": "secret-one", "confirm_password": "secret-two"},
            [Problem("confirm_password", "confirm_password must match password")],
        ),
    ],
    ids=["short", "long", "mismatch"],
)
def test_bad_password(factory: Factory, overrides: dict[str, str], expected: list[Problem]) -> None:
    assert refused(factory, factory.distributor(), **overrides) == expected


# Characters --------------------------------------------------------------------------------

CONTROL_FIELDS = ("username", "first_name", "address", "phone", "company")


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\t"], ids=["nul", "us", "del", "tab"])
def test_control_characters_rejected(factory: Factory, char: str) -> None:
    distributor = factory.distributor()
    found = refused(factory, distributor, **dict.fromkeys(CONTROL_FIELDS, f"bad{char}value"))
    assert found == [
        Problem(name, f"{name} must not contain control characters") for name in CONTROL_FIELDS
    ]


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
def test_invalid_email(factory: Factory, email: str) -> None:
    found = refused(factory, factory.distributor(), email=email)
    assert found == [Problem("email", "email must be a valid email address")]


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
def test_whitelabel_must_be_a_domain(factory: Factory, whitelabel: str) -> None:
    found = refused(factory, factory.distributor(), whitelabel=whitelabel)
    assert found == [Problem("whitelabel", "whitelabel must be a domain name")]


@pytest.mark.parametrize("value", ["true", "false", "1", "0"])
def test_free_user_accepted(factory: Factory, value: str) -> None:
    distributor = factory.distributor()
    assert added(factory, distributor, free_user=value)["username"]


def test_free_user_rejects_other_values(factory: Factory) -> None:
    found = refused(factory, factory.distributor(), free_user="maybe")
    assert found == [Problem("free_user", "free_user must be true or false")]


def test_all_errors_reported_together(factory: Factory) -> None:
    found = refused(
        factory, factory.distributor(), email="nope", password="abc", city=None, whitelabel="x"
    )
    assert found == [
        Problem("password", "password must be at least 6 characters"),
        Problem("email", "email must be a valid email address"),
        Problem("city", "city is required"),
        Problem("whitelabel", "whitelabel must be a domain name"),
    ]


def test_problems_with_stored_data_come_with_the_others(factory: Factory) -> None:
    """docs/api.md, Response formats: a request's problems are all reported together, also the
    ones that need the
    database (an unknown package beside a bad email)."""
    distributor = factory.distributor()
    taken = factory.customer(distributor).username
    params = valid(distributor, username=taken, email="nope", package=unique("nopkg"))
    assert problems(factory, customers.ADD, distributor, **params) == [
        Problem("email", "email must be a valid email address"),
        Problem("package", "package must be the name of one of your packages"),
        *TAKEN,
    ]


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
    factory: Factory, clock: Clock, now: datetime, billing_date: str, accepted: bool
) -> None:
    distributor = factory.distributor()
    clock.now = now
    if accepted:
        assert added(factory, distributor, billing_date=billing_date)["username"]
        return
    window = {
        (2024, 5): "2024-05-15 and 2024-06-15",
        (2011, 1): "2011-01-31 and 2011-02-28",
        (2024, 1): "2024-01-31 and 2024-02-29",
        (2025, 12): "2025-12-15 and 2026-01-15",
    }[(now.year, now.month)]
    found = refused(factory, distributor, billing_date=billing_date)
    assert found == [Problem("billing_date", f"billing_date must be between {window}")]


@pytest.mark.parametrize(
    "billing_date", ["2024-1-5", "2024-02-30", "tomorrow", "2024/01/20", "20240120"]
)
def test_billing_date_format(factory: Factory, clock: Clock, billing_date: str) -> None:
    distributor = factory.distributor()
    clock.now = datetime(2024, 1, 10, 12, 0, 0)
    found = refused(factory, distributor, billing_date=billing_date)
    assert found == [Problem("billing_date", "billing_date must be a date in YYYY-mm-dd format")]


def test_billing_date_empty_means_none(factory: Factory) -> None:
    distributor = factory.distributor()
    assert added(factory, distributor, billing_date="")["username"]


# Package, IP groups, IPs -------------------------------------------------------------------

NOT_OURS = [Problem("package", "package must be the name of one of your packages")]


def test_package_of_another_distributor(factory: Factory) -> None:
    distributor, other = factory.distributor(), factory.distributor()
    assert refused(factory, distributor, package=other.package) == NOT_OURS


def test_unknown_package(factory: Factory) -> None:
    distributor = factory.distributor()
    assert refused(factory, distributor, package=unique("nopkg")) == NOT_OURS


def test_other_own_package(factory: Factory) -> None:
    distributor = factory.distributor()
    package = factory.package(distributor)
    assert added(factory, distributor, package=package)["package"] == package


def test_own_ip_groups(factory: Factory) -> None:
    distributor = factory.distributor()
    groups = [factory.ip_group(distributor, fresh_ip()) for _ in range(2)]
    assert added(factory, distributor, ip_group=groups)["username"]


@pytest.mark.parametrize("whose", ["unknown", "other"])
def test_foreign_ip_group(factory: Factory, whose: str) -> None:
    distributor, other = factory.distributor(), factory.distributor()
    own = factory.ip_group(distributor, fresh_ip())
    foreign = unique("grp") if whose == "unknown" else factory.ip_group(other, fresh_ip())
    found = refused(factory, distributor, ip_group=[own, foreign])
    assert found == [
        Problem("ip_group", f"ip_group[] must name one of your IP groups: {foreign!r}")
    ]


def test_own_ip_with_has_ip_package(factory: Factory) -> None:
    distributor = factory.distributor(has_ip=True)
    address = fresh_ip()
    factory.ip_group(distributor, address)
    assert added(factory, distributor, ip=[address])["username"]


def test_ip_with_package_lacking_has_ip(factory: Factory) -> None:
    distributor = factory.distributor(has_ip=False)
    address = fresh_ip()
    factory.ip_group(distributor, address)
    found = refused(factory, distributor, ip=[address])
    assert found == [
        Problem("ip", "ip[] is not allowed: the package does not include IP addresses")
    ]


@pytest.mark.parametrize("whose", ["other", "nobody", "invalid"])
def test_ip_not_owned_or_invalid(factory: Factory, whose: str) -> None:
    distributor, other = factory.distributor(has_ip=True), factory.distributor(has_ip=True)
    address = {"other": fresh_ip(), "nobody": fresh_ip(), "invalid": "999.1.2.3"}[whose]
    if whose == "other":
        factory.ip_group(other, address)
    found = refused(factory, distributor, ip=[address])
    if whose == "invalid":
        assert found == [Problem("ip", "ip[] must be a valid IP address: '999.1.2.3'")]
    else:
        assert found == [Problem("ip", f"ip[] must be one of your IP addresses: {address}")]


# Username uniqueness -----------------------------------------------------------------------


def test_same_username_twice(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    params = valid(distributor, username=customer.username)
    assert problems(factory, customers.ADD, distributor, **params) == TAKEN
    assert len(factory.customers_of(distributor)) == 1


@pytest.mark.parametrize("case", [str.upper, str.lower], ids=["upper", "lower"])
def test_username_taken_ignores_case(factory: Factory, case: Any) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor, username=unique("MixedCase") + "@Example.com")
    params = valid(distributor, username=case(customer.username))
    assert problems(factory, customers.ADD, distributor, **params) == TAKEN
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
    return factory.deleted_customer(owner).username


@pytest.mark.parametrize("case", [str, str.upper], ids=["same-case", "upper-case"])
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
def test_username_taken_by_any_login(factory: Factory, kind: str, case: Any) -> None:
    distributor = factory.distributor()
    username = case(taken_by(factory, kind))
    params = valid(distributor, username=username)
    assert problems(factory, customers.ADD, distributor, **params) == TAKEN
    assert factory.customers_of(distributor) == []


def test_rejected_request_changes_nothing(factory: Factory) -> None:
    distributor = factory.distributor()
    params = valid(distributor, package=unique("nopkg"))
    assert problems(factory, customers.ADD, distributor, **params) == NOT_OURS
    assert_nothing_created(factory, distributor, params["username"])

    # The username is still free: the same request with a good package goes through.
    factory.run(customers.ADD, distributor, **{**params, "package": distributor.package})
    assert [row["username"] for row in factory.customers_of(distributor)] == [params["username"]]


# distributor.delete ------------------------------------------------------------------------

# Calls on a user that answer "User not found" (the error envelope) once it is gone.
ENVELOPE_CALLS: dict[str, dict[str, str]] = {
    "profile set": {"method": "profile", "task": "set", "first_name": "Grace"},
    "profile setUsername": {
        "method": "profile",
        "task": "setUsername",
        "username": "renamed-after-delete@example.com",
    },
    "profile setEmail": {"method": "profile", "task": "setEmail", "email": "new@example.com"},
    "password": {"method": "password", "password": "new-secret", "confirm_password": "new-secret"},
    "auth": {"method": "auth", "password": "secret-pass"},
}
# Calls that answer the bare {"message": "User not found"} form.
BARE_CALLS = ("enable", "disable", "website_enable", "website_disable")


def test_delete_removes_the_customer_from_the_list(factory: Factory) -> None:
    distributor = factory.distributor()
    kept, gone = factory.customer(distributor), factory.customer(distributor)
    factory.run(customers.DELETE, distributor, user=gone.username)
    assert [row["username"] for row in factory.customers_of(distributor)] == [kept.username]
    assert factory.customer_row(distributor, gone.username) is None


def test_deleted_customer_cannot_log_in(factory: Factory) -> None:
    customer = factory.deleted_customer(factory.distributor())
    assert not logs_in(factory, customer.username, customer.password)


@pytest.mark.parametrize("call", ENVELOPE_CALLS)
def test_deleted_customer_not_found_envelope(factory: Factory, call: str) -> None:
    distributor = factory.distributor()
    customer = factory.deleted_customer(distributor)
    params = {"user": customer.username, **ENVELOPE_CALLS[call]}
    assert not not_found(factory, manage.MANAGE, distributor, **params).bare


@pytest.mark.parametrize("method", BARE_CALLS)
def test_deleted_customer_not_found_bare(factory: Factory, method: str) -> None:
    distributor = factory.distributor()
    customer = factory.deleted_customer(distributor)
    answer = not_found(factory, manage.MANAGE, distributor, method=method, user=customer.username)
    assert answer.bare


@pytest.mark.parametrize("case", [str, str.upper], ids=["same-case", "upper-case"])
@pytest.mark.parametrize("same_distributor", [True, False], ids=["same", "other"])
def test_username_stays_reserved(factory: Factory, same_distributor: bool, case: Any) -> None:
    distributor = factory.distributor()
    customer = factory.deleted_customer(distributor)
    adder = distributor if same_distributor else factory.distributor()
    params = customer_params(adder.package, username=case(customer.username))
    assert problems(factory, customers.ADD, adder, **params) == TAKEN
    assert factory.customers_of(adder) == []


def test_credentials_go_with_the_customer(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(customer, email=1, web=1, api=1)
    factory.run(customers.DELETE, distributor, user=customer.username)
    assert not logs_in(factory, credential.username, credential.password)


def test_delete_twice(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.deleted_customer(distributor)
    assert not not_found(factory, customers.DELETE, distributor, user=customer.username).bare


def test_delete_unknown_user(factory: Factory) -> None:
    distributor = factory.distributor()
    not_found(factory, customers.DELETE, distributor, user="nobody-here@example.com")


def test_delete_another_distributors_customer(factory: Factory) -> None:
    distributor, owner = factory.distributor(), factory.distributor()
    customer = factory.customer(owner)
    before = factory.customer_row(owner, customer.username)
    not_found(factory, customers.DELETE, distributor, user=customer.username)
    assert factory.customer_row(owner, customer.username) == before
    assert before is not None and before["active"] == "true"
    assert logs_in(factory, customer.username, customer.password)


@pytest.mark.parametrize("user", [None, ""], ids=["missing", "empty"])
def test_delete_without_user(factory: Factory, user: str | None) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = problems(factory, customers.DELETE, distributor, user=user)
    assert found == [Problem("user", "user is required")]
    assert [row["username"] for row in factory.customers_of(distributor)] == [customer.username]


def test_delete_by_distributor_credential_with_api(factory: Factory) -> None:
    """A credential with the api bit acts for its distributor (docs/security.md, One access
    core)."""
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    with_api: Account = factory.credential(distributor, api=1)
    factory.run(customers.DELETE, with_api, user=customer.username)
    assert factory.customers_of(distributor) == []
