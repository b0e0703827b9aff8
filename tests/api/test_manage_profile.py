"""distributor.manage method=profile (§6): get, set, setUsername, setEmail, and dispatch."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from gridreseller.services import operator
from tests.factories import Account, Distributor, Factory, unique
from tests.support import errors, message, parse

# Profile fields and their length limits at creation (§4), which also bound `set`.
PROFILE_LIMITS = (
    dict.fromkeys(("first_name", "last_name", "zip", "phone"), 50)
    | dict.fromkeys(("address", "city", "state", "country"), 100)
    | dict.fromkeys(("website", "company"), 255)
)
TEXT_FILTERS = tuple(PROFILE_LIMITS)
LISTED_FIELDS = {"username", "email", "active", *PROFILE_LIMITS, "package", "website_access"}
XML_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>'


# helpers -------------------------------------------------------------------------------


def manage(factory: Factory, fmt: str, account: Account, **params: Any) -> httpx.Response:
    return factory.call("distributor.manage", fmt, account, **params)


def profile(
    factory: Factory, fmt: str, account: Account, task: str, **params: Any
) -> httpx.Response:
    return manage(factory, fmt, account, method="profile", task=task, **params)


def listing(factory: Factory, fmt: str, account: Account, **filters: Any) -> list[dict[str, str]]:
    response = profile(factory, fmt, account, "get", **filters)
    assert response.status_code == 200, response.text
    rows = parse(response)
    assert isinstance(rows, list), rows
    return rows


def usernames(factory: Factory, fmt: str, account: Account, **filters: Any) -> list[str]:
    return [row["username"] for row in listing(factory, fmt, account, **filters)]


def row_of(factory: Factory, fmt: str, account: Account, username: str) -> dict[str, str]:
    rows = listing(factory, fmt, account, username=username)
    assert len(rows) == 1, rows
    return rows[0]


def logs_in(factory: Factory, username: str, password: str) -> int:
    """Status of credentials/get made as this login (200 when the password works)."""
    return factory.call("credentials/get", "json", Account(username, password)).status_code


def names_param(response: httpx.Response, param: str) -> None:
    """A 400 whose errors name `param` as a whole word."""
    assert response.status_code == 400, response.text
    found = errors(response)
    pattern = re.compile(rf"(?<!\w){re.escape(param)}(?!\w)")
    assert any(pattern.search(error) for error in found), found


def not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    assert errors(response) == ["User not found"]


def email_name(prefix: str = "n") -> str:
    return f"{unique(prefix)}@example.com"


def sized_email(length: int) -> str:
    """A valid, unique address of exactly `length` characters (length >= 80)."""
    local = (unique("l") + "x" * 60)[:60]
    return f"{local}@{'d' * (length - len(local) - 5)}.com"


def deleted_customer(factory: Factory, distributor: Distributor) -> Account:
    customer = factory.customer(distributor)
    response = factory.call("distributor.delete", "json", distributor, user=customer.username)
    assert response.status_code == 200, response.text
    return customer


def strangers(factory: Factory, distributor: Distributor) -> dict[str, str]:
    """Usernames that are not this distributor's live customers."""
    return {
        "unknown": email_name("ghost"),
        "other distributor's": factory.customer(factory.distributor()).username,
        "deleted": deleted_customer(factory, distributor).username,
    }


# profile get ---------------------------------------------------------------------------


def test_get_lists_every_field_in_case_insensitive_username_order(
    factory: Factory, fmt: str
) -> None:
    distributor = factory.distributor()
    tag = unique("o")
    bob = factory.customer(
        distributor,
        username=f"Bob-{tag}@example.com",
        first_name="Élodie",
        city="Zürich",
        company="Ωmega Ltd",
        email="bob@example.org",
    )
    alice = factory.customer(distributor, username=f"alice-{tag}@example.com")
    carol = factory.customer(distributor, username=f"carol-{tag}@example.com")
    assert manage(factory, "json", distributor, method="disable", user=bob.username).is_success
    assert manage(
        factory, "json", distributor, method="website_disable", user=bob.username
    ).is_success
    factory.customer(factory.distributor(), username=f"aaron-{tag}@example.com")
    deleted_customer(factory, distributor)

    rows = listing(factory, fmt, distributor)

    assert [row["username"] for row in rows] == [alice.username, bob.username, carol.username]
    assert all(set(row) == LISTED_FIELDS for row in rows), rows
    assert rows[1] == {
        "username": bob.username,
        "email": "bob@example.org",
        "active": "false",
        "first_name": "Élodie",
        "last_name": "Lovelace",
        "address": "12 Analytical St",
        "city": "Zürich",
        "state": "LDN",
        "zip": "N1 9GU",
        "country": "GB",
        "phone": "555-0100",
        "website": "example.com",
        "company": "Ωmega Ltd",
        "package": distributor.package,
        "website_access": "false",
    }
    assert (rows[0]["active"], rows[0]["website_access"]) == ("true", "true")


def test_get_json_is_a_list_and_xml_a_users_root(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = profile(factory, fmt, distributor, "get")
    assert response.status_code == 200
    if fmt == "json":
        assert response.content.lstrip().startswith(b"[")
        assert isinstance(response.json(), list)
    else:
        body = response.content.removeprefix(XML_DECLARATION).strip()
        assert body.startswith(b"<users><user><username>")
        assert body.endswith(b"</user></users>")
    assert [row["username"] for row in parse(response)] == [customer.username]


def test_get_empty_list(factory: Factory, fmt: str) -> None:
    response = profile(factory, fmt, factory.distributor(), "get")
    assert response.status_code == 200
    assert parse(response) == []
    if fmt == "json":
        assert response.content.strip() == b"[]"
    else:
        assert response.content.startswith(XML_DECLARATION)
        assert response.content.removeprefix(XML_DECLARATION).strip() == b"<users></users>"


def distinct_value(field: str, tag: str) -> str:
    if field in ("username", "email"):
        return f"{tag}-{unique()}@Example.com"
    return f"{tag} Value"


@pytest.mark.parametrize("field", ["username", "email", *TEXT_FILTERS])
def test_filter_matches_exactly_and_case_insensitively(
    factory: Factory, fmt: str, field: str
) -> None:
    distributor = factory.distributor()
    wanted = distinct_value(field, "Alpha")
    target = factory.customer(distributor, **{field: wanted})
    factory.customer(distributor, **{field: distinct_value(field, "Beta")})

    assert usernames(factory, fmt, distributor, **{field: wanted}) == [target.username]
    assert usernames(factory, fmt, distributor, **{field: wanted.swapcase()}) == [target.username]
    assert usernames(factory, fmt, distributor, **{field: wanted[:-1]}) == []
    assert usernames(factory, fmt, distributor, **{field: wanted + "x"}) == []


@pytest.mark.parametrize(("stored", "query"), [("Élodie", "élodie"), ("ΑΘΗΝΑ", "αθηνα")])
def test_filter_case_folds_non_ascii(factory: Factory, fmt: str, stored: str, query: str) -> None:
    distributor = factory.distributor()
    target = factory.customer(distributor, first_name=stored)
    factory.customer(distributor, first_name="Other")
    assert usernames(factory, fmt, distributor, first_name=query) == [target.username]
    assert usernames(factory, fmt, distributor, first_name=query.upper()) == [target.username]


def test_filters_combine_with_and(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    both = factory.customer(distributor, city="Paris", state="IDF")
    factory.customer(distributor, city="Paris", state="PACA")
    factory.customer(distributor, city="Lyon", state="IDF")
    assert usernames(factory, fmt, distributor, city="paris", state="idf") == [both.username]
    assert usernames(factory, fmt, distributor, username=both.username, city="Lyon") == []


@pytest.mark.parametrize(
    ("value", "active"), [("true", True), ("1", True), ("false", False), ("0", False)]
)
def test_active_filter(factory: Factory, fmt: str, value: str, active: bool) -> None:
    distributor = factory.distributor()
    enabled = factory.customer(distributor)
    disabled = factory.customer(distributor)
    assert manage(factory, "json", distributor, method="disable", user=disabled.username).is_success
    expected = enabled if active else disabled
    assert usernames(factory, fmt, distributor, active=value) == [expected.username]


@pytest.mark.parametrize("value", ["yes", "2", "on", "truex"])
def test_active_filter_rejects_other_values(factory: Factory, fmt: str, value: str) -> None:
    distributor = factory.distributor()
    names_param(profile(factory, fmt, distributor, "get", active=value), "active")


def ordered_customers(
    factory: Factory, distributor: Distributor, count: int, **fields: str
) -> list[str]:
    tag = unique("p")
    created = [
        factory.customer(distributor, username=f"{tag}-{i}@example.com", **fields).username
        for i in reversed(range(count))
    ]
    return sorted(created, key=str.lower)


def test_limit_and_offset_page_the_ordered_list(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    names = ordered_customers(factory, distributor, 4)
    assert usernames(factory, fmt, distributor, limit=2, offset=1) == names[1:3]
    assert usernames(factory, fmt, distributor, limit=2) == names[:2]
    assert usernames(factory, fmt, distributor, offset=3) == names[3:]
    assert usernames(factory, fmt, distributor, offset=4) == []
    assert usernames(factory, fmt, distributor, limit=2, offset=10) == []
    assert usernames(factory, fmt, distributor, limit=0) == []


def test_limit_and_offset_apply_after_a_filter(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    paris = ordered_customers(factory, distributor, 3, city="Paris")
    ordered_customers(factory, distributor, 2, city="Lyon")
    assert usernames(factory, fmt, distributor, city="PARIS", limit=1, offset=1) == paris[1:2]
    assert usernames(factory, fmt, distributor, city="paris", offset=2) == paris[2:]
    assert usernames(factory, fmt, distributor, city="paris", active="true", limit=2) == paris[:2]


@pytest.mark.parametrize("param", ["limit", "offset"])
@pytest.mark.parametrize("value", ["abc", "-1", "1.5", " 2x"])
def test_bad_limit_or_offset(factory: Factory, fmt: str, param: str, value: str) -> None:
    distributor = factory.distributor()
    factory.customer(distributor)
    names_param(profile(factory, fmt, distributor, "get", **{param: value}), param)


@pytest.mark.parametrize("field", ["username", "city", "company"])
@pytest.mark.parametrize("char", ["\x00", "\x01", "\n", "\x7f"])
def test_filter_with_control_character(factory: Factory, fmt: str, field: str, char: str) -> None:
    distributor = factory.distributor()
    factory.customer(distributor)
    names_param(profile(factory, fmt, distributor, "get", **{field: f"a{char}b"}), field)


def test_other_distributors_customer_never_listed(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    own = factory.customer(distributor)
    foreign = factory.customer(factory.distributor(), city="Secretville")
    assert usernames(factory, fmt, distributor) == [own.username]
    assert usernames(factory, fmt, distributor, username=foreign.username) == []
    assert usernames(factory, fmt, distributor, city="Secretville") == []


# profile set ----------------------------------------------------------------------------


def test_set_updates_given_fields_only(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = row_of(factory, fmt, distributor, customer.username)
    changes = {"first_name": "Grace", "city": "Paris", "company": "Ωmega Ltd"}
    response = profile(factory, fmt, distributor, "set", user=customer.username, **changes)
    assert response.status_code == 200, response.text
    assert message(response) == "success"
    assert row_of(factory, fmt, distributor, customer.username) == {**before, **changes}


@pytest.mark.parametrize(("field", "limit"), PROFILE_LIMITS.items())
def test_set_length_limits(factory: Factory, fmt: str, field: str, limit: int) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor, phone="555-0100")
    before = row_of(factory, fmt, distributor, customer.username)
    other = "phone" if field != "phone" else "city"
    response = profile(
        factory,
        fmt,
        distributor,
        "set",
        user=customer.username,
        **{field: "x" * (limit + 1), other: "12345"},
    )
    names_param(response, field)
    assert row_of(factory, fmt, distributor, customer.username) == before

    at_limit = profile(
        factory, fmt, distributor, "set", user=customer.username, **{field: "y" * limit}
    )
    assert at_limit.status_code == 200, at_limit.text
    assert row_of(factory, fmt, distributor, customer.username)[field] == "y" * limit


@pytest.mark.parametrize("field", ["first_name", "zip", "company"])
def test_set_empty_value_is_an_error_on_that_field(factory: Factory, fmt: str, field: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = row_of(factory, fmt, distributor, customer.username)
    response = profile(
        factory, fmt, distributor, "set", user=customer.username, city="Paris", **{field: ""}
    )
    names_param(response, field)
    assert row_of(factory, fmt, distributor, customer.username) == before


def test_set_control_character_is_rejected(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = profile(
        factory, fmt, distributor, "set", user=customer.username, address="1\x00 Main St"
    )
    names_param(response, "address")


def test_set_without_any_field(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = profile(factory, fmt, distributor, "set", user=customer.username)
    assert response.status_code == 400, response.text
    assert errors(response)


def test_set_without_user(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    factory.customer(distributor)
    names_param(profile(factory, fmt, distributor, "set", city="Paris"), "user")


@pytest.mark.parametrize(
    ("task", "params"),
    [
        ("set", {"city": "Paris"}),
        ("setUsername", {"username": "x"}),
        ("setEmail", {"email": "new@example.com"}),
    ],
)
def test_profile_changes_on_strangers_are_not_found(
    factory: Factory, fmt: str, task: str, params: dict[str, str]
) -> None:
    distributor = factory.distributor()
    for kind, user in strangers(factory, distributor).items():
        extra = {"username": email_name("fresh")} if task == "setUsername" else params
        response = profile(factory, fmt, distributor, task, user=user, **extra)
        assert response.status_code == 404, (kind, response.text)
        assert errors(response) == ["User not found"], kind


# profile setUsername --------------------------------------------------------------------


def set_username(
    factory: Factory, fmt: str, distributor: Account, user: str, new: str
) -> httpx.Response:
    return profile(factory, fmt, distributor, "setUsername", user=user, username=new)


def test_set_username_renames_the_login(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    new = email_name("renamed")
    response = set_username(factory, fmt, distributor, customer.username, new)
    assert response.status_code == 200, response.text
    assert message(response) == "success"

    assert logs_in(factory, customer.username, customer.password) == 401
    assert logs_in(factory, new, customer.password) == 200
    assert usernames(factory, fmt, distributor) == [new]
    assert usernames(factory, fmt, distributor, username=customer.username) == []


@pytest.mark.parametrize("new", ["not-an-email", "user@", "@example.com", "a b@example.com"])
def test_set_username_requires_email_format(factory: Factory, fmt: str, new: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    names_param(set_username(factory, fmt, distributor, customer.username, new), "username")
    assert usernames(factory, fmt, distributor) == [customer.username]


def test_set_username_length(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    too_long = sized_email(101)
    names_param(set_username(factory, fmt, distributor, customer.username, too_long), "username")
    at_limit = sized_email(100)
    response = set_username(factory, fmt, distributor, customer.username, at_limit)
    assert response.status_code == 200, response.text
    assert usernames(factory, fmt, distributor) == [at_limit]


def taken_names(factory: Factory, distributor: Distributor) -> dict[str, str]:
    """One username of each kind that §1 keeps unique, all in email format."""
    foreign_distributor = email_name("dist")
    operator.create_distributor(factory.ctx, foreign_distributor, "dist-secret", "d@example.com")
    credential = email_name("cred")
    response = factory.call(
        "credentials/add", "json", distributor, username=credential, password="cred-secret"
    )
    assert response.status_code == 200, response.text
    sibling = factory.customer(distributor).username
    return {
        "sibling customer": sibling,
        "sibling customer, other case": sibling.upper(),
        "other distributor's customer": factory.customer(factory.distributor()).username,
        "distributor": foreign_distributor,
        "credential": credential,
        "deleted customer": deleted_customer(factory, distributor).username,
    }


def test_set_username_must_not_be_taken(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    for kind, name in taken_names(factory, distributor).items():
        response = set_username(factory, fmt, distributor, customer.username, name)
        assert response.status_code == 400, (kind, response.text)
        assert errors(response) == ["username is already taken"], kind
    assert logs_in(factory, customer.username, customer.password) == 200


@pytest.mark.parametrize("domain", ["sendgrid.com", "mail.sendgrid.com", "SendGrid.COM"])
def test_set_username_rejects_reserved_domains(factory: Factory, fmt: str, domain: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = set_username(factory, fmt, distributor, customer.username, f"{unique('r')}@{domain}")
    names_param(response, "username")
    assert usernames(factory, fmt, distributor) == [customer.username]


def test_set_username_lookalike_domain_is_not_reserved(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    new = f"{unique('r')}@notsendgrid.com"
    response = set_username(factory, fmt, distributor, customer.username, new)
    assert response.status_code == 200, response.text
    assert usernames(factory, fmt, distributor) == [new]


def test_set_username_to_a_case_variant_of_its_own(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor, username=email_name("mixed"))
    new = customer.username.upper()
    response = set_username(factory, fmt, distributor, customer.username, new)
    assert response.status_code == 200, response.text
    assert usernames(factory, fmt, distributor) == [new]
    assert logs_in(factory, new, customer.password) == 200


def test_set_username_frees_the_old_name(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = set_username(factory, fmt, distributor, customer.username, email_name("moved"))
    assert response.status_code == 200, response.text
    reused = factory.customer(distributor, username=customer.username, password="other-pass")
    assert logs_in(factory, reused.username, "other-pass") == 200
    assert customer.username in usernames(factory, fmt, distributor)


# profile setEmail -----------------------------------------------------------------------


def test_set_email_changes_contact_only(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    new = sized_email(100)
    response = profile(factory, fmt, distributor, "setEmail", user=customer.username, email=new)
    assert response.status_code == 200, response.text
    assert message(response) == "success"
    assert row_of(factory, fmt, distributor, customer.username)["email"] == new
    assert logs_in(factory, customer.username, customer.password) == 200
    assert logs_in(factory, new, customer.password) == 401


@pytest.mark.parametrize("value", ["not-an-email", "a@", "a@b@example.com"])
def test_set_email_rejects_invalid_address(factory: Factory, fmt: str, value: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = profile(factory, fmt, distributor, "setEmail", user=customer.username, email=value)
    assert response.status_code == 400, response.text
    assert errors(response) == ["email must be a valid email address"]
    assert row_of(factory, fmt, distributor, customer.username)["email"] == "contact@example.com"


def test_set_email_length(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = profile(
        factory, fmt, distributor, "setEmail", user=customer.username, email=sized_email(101)
    )
    names_param(response, "email")
    assert row_of(factory, fmt, distributor, customer.username)["email"] == "contact@example.com"


# dispatch ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({}, "method"),
        ({"method": "frobnicate"}, "method"),
        ({"method": "Profile"}, "method"),
        ({"method": "profile"}, "task"),
        ({"method": "profile", "task": "delete"}, "task"),
        ({"method": "profile", "task": "GET"}, "task"),
    ],
)
def test_unknown_method_or_task(
    factory: Factory, fmt: str, params: dict[str, str], param: str
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    names_param(manage(factory, fmt, distributor, user=customer.username, **params), param)


def test_seed_typo_password_set_email_does_not_change_email(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = manage(
        factory,
        fmt,
        distributor,
        method="password",
        task="setEmail",
        user=customer.username,
        email="typo@example.com",
    )
    names_param(response, "password")
    assert row_of(factory, fmt, distributor, customer.username)["email"] == "contact@example.com"
    assert logs_in(factory, customer.username, customer.password) == 200
