"""distributor.manage method=profile (docs/api.md, distributor.manage): get's filters and
paging, set, setUsername,
setEmail, and picking the operation by method and task; every refusal exact, and
nothing changed by one."""

from __future__ import annotations

from typing import Any

import pytest

from gridreseller.api.legacy import credentials, manage
from gridreseller.api.legacy.manage import MANAGE
from gridreseller.domain.errors import Problem
from gridreseller.services import operator
from tests.factories import Account, Distributor, Factory, customer_params, listed_customer, unique
from tests.unit.services.support import logs_in, not_found, problems

# Profile fields and their length limits at creation (docs/api.md, distributor.add), which
# also bound `set`.
PROFILE_LIMITS = (
    dict.fromkeys(("first_name", "last_name", "zip", "phone"), 50)
    | dict.fromkeys(("address", "city", "state", "country"), 100)
    | dict.fromkeys(("website", "company"), 255)
)
TEXT_FILTERS = tuple(PROFILE_LIMITS)
LISTED_FIELDS = {
    "username",
    "email",
    "active",
    *PROFILE_LIMITS,
    "package",
    "website_access",
    "sender_domains",
}
PROFILE_TASKS = "get, set, setUsername, setEmail, setSenderDomains"
TAKEN = [Problem("username", "username is already taken")]


def usernames(factory: Factory, account: Account, **filters: Any) -> list[str]:
    return [row["username"] for row in factory.customers_of(account, **filters)]


def row_of(factory: Factory, account: Account, username: str) -> dict[str, str]:
    row = factory.customer_row(account, username)
    assert row is not None, username
    return row


def profile(factory: Factory, account: Account, task: str, **params: Any) -> None:
    factory.run(MANAGE, account, method="profile", task=task, **params)


def profile_problems(factory: Factory, account: Account, task: str, **params: Any) -> list[Problem]:
    return problems(factory, MANAGE, account, method="profile", task=task, **params)


def email_name(prefix: str = "n") -> str:
    return f"{unique(prefix)}@example.com"


def sized_email(length: int) -> str:
    """A valid, unique address of exactly `length` characters (length >= 80)."""
    local = (unique("l") + "x" * 60)[:60]
    return f"{local}@{'d' * (length - len(local) - 5)}.com"


def stranger(factory: Factory, distributor: Distributor, kind: str) -> str:
    """A username that is not this distributor's live customer."""
    if kind == "unknown":
        return email_name("ghost")
    if kind == "other distributor's":
        return factory.customer(factory.distributor()).username
    return factory.deleted_customer(distributor).username


STRANGERS = ("unknown", "other distributor's", "deleted")


# profile get ---------------------------------------------------------------------------


def test_get_lists_every_field_in_case_insensitive_username_order(factory: Factory) -> None:
    distributor = factory.distributor()
    tag = unique("o")
    given = {
        "username": f"Bob-{tag}@example.com",
        "first_name": "Élodie",
        "city": "Zürich",
        "company": "Ωmega Ltd",
        "email": "bob@example.org",
    }
    bob = factory.customer(distributor, **given)
    bob_params = customer_params(distributor.package, **given)
    alice = factory.customer(distributor, username=f"alice-{tag}@example.com")
    carol = factory.customer(distributor, username=f"carol-{tag}@example.com")
    factory.run(MANAGE, distributor, method="disable", user=bob.username)
    factory.run(MANAGE, distributor, method="website_disable", user=bob.username)
    factory.customer(factory.distributor(), username=f"aaron-{tag}@example.com")
    factory.deleted_customer(distributor)

    rows = factory.customers_of(distributor)

    assert [row["username"] for row in rows] == [alice.username, bob.username, carol.username]
    assert all(set(row) == LISTED_FIELDS for row in rows), rows
    assert rows[1] == listed_customer(bob_params, active="false", website_access="false")
    assert (rows[0]["active"], rows[0]["website_access"]) == ("true", "true")


def test_get_empty_list(factory: Factory) -> None:
    assert factory.customers_of(factory.distributor()) == []


def distinct_value(field: str, tag: str) -> str:
    if field in ("username", "email"):
        return f"{tag}-{unique()}@Example.com"
    return f"{tag} Value"


@pytest.mark.parametrize("field", ["username", "email", *TEXT_FILTERS])
def test_filter_matches_exactly_and_case_insensitively(factory: Factory, field: str) -> None:
    distributor = factory.distributor()
    wanted = distinct_value(field, "Alpha")
    target = factory.customer(distributor, **{field: wanted})
    factory.customer(distributor, **{field: distinct_value(field, "Beta")})

    assert usernames(factory, distributor, **{field: wanted}) == [target.username]
    assert usernames(factory, distributor, **{field: wanted.swapcase()}) == [target.username]
    assert usernames(factory, distributor, **{field: wanted[:-1]}) == []
    assert usernames(factory, distributor, **{field: wanted + "x"}) == []


@pytest.mark.parametrize(("stored", "query"), [("Élodie", "élodie"), ("ΑΘΗΝΑ", "αθηνα")])
def test_filter_case_folds_non_ascii(factory: Factory, stored: str, query: str) -> None:
    distributor = factory.distributor()
    target = factory.customer(distributor, first_name=stored)
    factory.customer(distributor, first_name="Other")
    assert usernames(factory, distributor, first_name=query) == [target.username]
    assert usernames(factory, distributor, first_name=query.upper()) == [target.username]


def test_filters_combine_with_and(factory: Factory) -> None:
    distributor = factory.distributor()
    both = factory.customer(distributor, city="Paris", state="IDF")
    factory.customer(distributor, city="Paris", state="PACA")
    factory.customer(distributor, city="Lyon", state="IDF")
    assert usernames(factory, distributor, city="paris", state="idf") == [both.username]
    assert usernames(factory, distributor, username=both.username, city="Lyon") == []


def test_empty_filter_is_no_filter(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    assert usernames(factory, distributor, city="", active="", limit="") == [customer.username]


@pytest.mark.parametrize(
    ("value", "active"), [("true", True), ("1", True), ("false", False), ("0", False)]
)
def test_active_filter(factory: Factory, value: str, active: bool) -> None:
    distributor = factory.distributor()
    enabled = factory.customer(distributor)
    disabled = factory.customer(distributor)
    factory.run(MANAGE, distributor, method="disable", user=disabled.username)
    expected = enabled if active else disabled
    assert usernames(factory, distributor, active=value) == [expected.username]


@pytest.mark.parametrize("value", ["yes", "2", "on", "truex"])
def test_active_filter_rejects_other_values(factory: Factory, value: str) -> None:
    found = profile_problems(factory, factory.distributor(), "get", active=value)
    assert found == [Problem("active", "active must be true, false, 1 or 0")]


def ordered_customers(
    factory: Factory, distributor: Distributor, count: int, **fields: str
) -> list[str]:
    tag = unique("p")
    created = [
        factory.customer(distributor, username=f"{tag}-{i}@example.com", **fields).username
        for i in reversed(range(count))
    ]
    return sorted(created, key=str.lower)


def test_limit_and_offset_page_the_ordered_list(factory: Factory) -> None:
    distributor = factory.distributor()
    names = ordered_customers(factory, distributor, 4)
    assert usernames(factory, distributor, limit=2, offset=1) == names[1:3]
    assert usernames(factory, distributor, limit=2) == names[:2]
    assert usernames(factory, distributor, offset=3) == names[3:]
    assert usernames(factory, distributor, offset=4) == []
    assert usernames(factory, distributor, limit=2, offset=10) == []
    assert usernames(factory, distributor, limit=0) == []


def test_limit_and_offset_apply_after_a_filter(factory: Factory) -> None:
    distributor = factory.distributor()
    paris = ordered_customers(factory, distributor, 3, city="Paris")
    ordered_customers(factory, distributor, 2, city="Lyon")
    assert usernames(factory, distributor, city="PARIS", limit=1, offset=1) == paris[1:2]
    assert usernames(factory, distributor, city="paris", offset=2) == paris[2:]
    assert usernames(factory, distributor, city="paris", active="true", limit=2) == paris[:2]


@pytest.mark.parametrize("param", ["limit", "offset"])
@pytest.mark.parametrize("value", ["abc", "-1", "1.5", " 2x", "١٢", "1" * 19])
def test_bad_limit_or_offset(factory: Factory, param: str, value: str) -> None:
    distributor = factory.distributor()
    factory.customer(distributor)
    found = profile_problems(factory, distributor, "get", **{param: value})
    assert found == [Problem(param, f"{param} must be a non-negative integer")]


@pytest.mark.parametrize("field", ["username", "city", "company"])
@pytest.mark.parametrize("char", ["\x00", "\x01", "\n", "\x7f"])
def test_filter_with_control_character(factory: Factory, field: str, char: str) -> None:
    distributor = factory.distributor()
    factory.customer(distributor)
    found = profile_problems(factory, distributor, "get", **{field: f"a{char}b"})
    assert found == [Problem(field, f"{field} must not contain control characters")]


def test_other_distributors_customer_never_listed(factory: Factory) -> None:
    distributor = factory.distributor()
    own = factory.customer(distributor)
    foreign = factory.customer(factory.distributor(), city="Secretville")
    assert usernames(factory, distributor) == [own.username]
    assert usernames(factory, distributor, username=foreign.username) == []
    assert usernames(factory, distributor, city="Secretville") == []


# profile set ----------------------------------------------------------------------------


def test_set_updates_given_fields_only(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = row_of(factory, distributor, customer.username)
    changes = {"first_name": "Grace", "city": "Paris", "company": "Ωmega Ltd"}
    profile(factory, distributor, "set", user=customer.username, **changes)
    assert row_of(factory, distributor, customer.username) == {**before, **changes}


@pytest.mark.parametrize(("field", "limit"), PROFILE_LIMITS.items())
def test_set_length_limits(factory: Factory, field: str, limit: int) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor, phone="555-0100")
    before = row_of(factory, distributor, customer.username)
    other = "phone" if field != "phone" else "city"
    changes = {field: "x" * (limit + 1), other: "12345"}
    found = profile_problems(factory, distributor, "set", user=customer.username, **changes)
    assert found == [Problem(field, f"{field} must be no more than {limit} characters")]
    assert row_of(factory, distributor, customer.username) == before

    profile(factory, distributor, "set", user=customer.username, **{field: "y" * limit})
    assert row_of(factory, distributor, customer.username)[field] == "y" * limit


@pytest.mark.parametrize("field", TEXT_FILTERS)
def test_set_empty_value_is_an_error_on_that_field(factory: Factory, field: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = row_of(factory, distributor, customer.username)
    other = "city" if field != "city" else "state"
    changes = {other: "Paris", field: ""}
    found = profile_problems(factory, distributor, "set", user=customer.username, **changes)
    assert found == [Problem(field, f"{field} must not be empty")]
    assert row_of(factory, distributor, customer.username) == before


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\r"], ids=["nul", "us", "del", "cr"])
def test_set_control_character_is_rejected(factory: Factory, char: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = row_of(factory, distributor, customer.username)
    found = profile_problems(
        factory, distributor, "set", user=customer.username, address=f"1{char} Main St"
    )
    assert found == [Problem("address", "address must not contain control characters")]
    assert row_of(factory, distributor, customer.username) == before


def test_set_without_any_field(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = row_of(factory, distributor, customer.username)
    found = profile_problems(factory, distributor, "set", user=customer.username)
    fields = "first_name, last_name, address, city, state, zip, country, phone, website, company"
    assert found == [Problem(None, f"at least one of {fields} is required")]
    assert row_of(factory, distributor, customer.username) == before


@pytest.mark.parametrize("user", [None, ""], ids=["missing", "empty"])
def test_set_without_user(factory: Factory, user: str | None) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = row_of(factory, distributor, customer.username)
    found = profile_problems(factory, distributor, "set", user=user, city="Paris")
    assert found == [Problem("user", "user is required")]
    assert row_of(factory, distributor, customer.username) == before


@pytest.mark.parametrize("kind", STRANGERS)
@pytest.mark.parametrize(
    ("task", "params"),
    [
        ("set", {"city": "Paris"}),
        ("setUsername", {}),
        ("setEmail", {"email": "new@example.com"}),
    ],
)
def test_profile_changes_on_strangers_are_not_found(
    factory: Factory, task: str, params: dict[str, str], kind: str
) -> None:
    distributor = factory.distributor()
    user = stranger(factory, distributor, kind)
    extra = {"username": email_name("fresh")} if task == "setUsername" else params
    answer = not_found(
        factory, MANAGE, distributor, method="profile", task=task, user=user, **extra
    )
    assert not answer.bare


def test_profile_set_leaves_other_distributors_customer_alone(factory: Factory) -> None:
    owner = factory.distributor()
    foreign = factory.customer(owner)
    before = row_of(factory, owner, foreign.username)
    params = {"method": "profile", "user": foreign.username}
    not_found(factory, MANAGE, factory.distributor(), task="set", city="Paris", **params)
    not_found(
        factory, MANAGE, factory.distributor(), task="setEmail", email="x@example.com", **params
    )
    assert row_of(factory, owner, foreign.username) == before


# profile setUsername --------------------------------------------------------------------


def set_username(factory: Factory, distributor: Account, user: str, new: str) -> None:
    profile(factory, distributor, "setUsername", user=user, username=new)


def username_problems(
    factory: Factory, distributor: Account, user: str, new: str | None
) -> list[Problem]:
    return profile_problems(factory, distributor, "setUsername", user=user, username=new)


def test_set_username_renames_the_login(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    new = email_name("renamed")
    set_username(factory, distributor, customer.username, new)
    assert not logs_in(factory, customer.username, customer.password)
    assert logs_in(factory, new, customer.password)
    assert usernames(factory, distributor) == [new]
    assert usernames(factory, distributor, username=customer.username) == []


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("not-an-email", "username must be a valid email address"),
        ("user@", "username must be a valid email address"),
        ("@example.com", "username must be a valid email address"),
        # The username profile speaks first: it says more than "not an email address".
        ("a b@example.com", "username must not contain spaces"),
        ("", "username must not be empty"),
        (None, "username is required"),
        ("a\x00b@example.com", "username must not contain control characters"),
    ],
)
def test_set_username_requires_email_format(
    factory: Factory, new: str | None, message: str
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = username_problems(factory, distributor, customer.username, new)
    assert found == [Problem("username", message)]
    assert usernames(factory, distributor) == [customer.username]


def test_set_username_length(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = username_problems(factory, distributor, customer.username, sized_email(101))
    assert found == [Problem("username", "username must be no more than 100 characters")]
    at_limit = sized_email(100)
    set_username(factory, distributor, customer.username, at_limit)
    assert usernames(factory, distributor) == [at_limit]


def taken_name(factory: Factory, distributor: Distributor, kind: str) -> str:
    """One username of each kind that docs/api.md, Usernames keeps unique, all in email format."""
    if kind == "distributor":
        name = email_name("dist")
        operator.create_distributor(factory.ctx, name, "dist-secret", "d@example.com")
        return name
    if kind == "credential":
        name = email_name("cred")
        factory.run(credentials.ADD, distributor, username=name, password="cred-secret")
        return name
    if kind == "sibling customer":
        return factory.customer(distributor).username
    if kind == "sibling customer, other case":
        return factory.customer(distributor).username.upper()
    if kind == "other distributor's customer":
        return factory.customer(factory.distributor()).username
    return factory.deleted_customer(distributor).username


@pytest.mark.parametrize(
    "kind",
    [
        "sibling customer",
        "sibling customer, other case",
        "other distributor's customer",
        "distributor",
        "credential",
        "deleted customer",
    ],
)
def test_set_username_must_not_be_taken(factory: Factory, kind: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    name = taken_name(factory, distributor, kind)
    assert username_problems(factory, distributor, customer.username, name) == TAKEN
    assert logs_in(factory, customer.username, customer.password)


@pytest.mark.parametrize("domain", ["sendgrid.com", "mail.sendgrid.com", "SendGrid.COM"])
def test_set_username_rejects_reserved_domains(factory: Factory, domain: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = username_problems(factory, distributor, customer.username, f"{unique('r')}@{domain}")
    assert found == [Problem("username", "username must not use a reserved domain")]
    assert usernames(factory, distributor) == [customer.username]


def test_set_username_lookalike_domain_is_not_reserved(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    new = f"{unique('r')}@notsendgrid.com"
    set_username(factory, distributor, customer.username, new)
    assert usernames(factory, distributor) == [new]


def test_set_username_to_a_case_variant_of_its_own(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor, username=email_name("mixed"))
    new = customer.username.upper()
    set_username(factory, distributor, customer.username, new)
    assert usernames(factory, distributor) == [new]
    assert logs_in(factory, new, customer.password)


def test_set_username_frees_the_old_name(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_username(factory, distributor, customer.username, email_name("moved"))
    reused = factory.customer(distributor, username=customer.username, password="other-pass")
    assert logs_in(factory, reused.username, "other-pass")
    assert customer.username in usernames(factory, distributor)


# profile setEmail -----------------------------------------------------------------------


def test_set_email_changes_contact_only(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    new = sized_email(100)
    profile(factory, distributor, "setEmail", user=customer.username, email=new)
    assert row_of(factory, distributor, customer.username)["email"] == new
    assert logs_in(factory, customer.username, customer.password)
    assert not logs_in(factory, new, customer.password)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-an-email", "email must be a valid email address"),
        ("a@", "email must be a valid email address"),
        ("a@b@example.com", "email must be a valid email address"),
        (sized_email(101), "email must be no more than 100 characters"),
        ("", "email must not be empty"),
        (None, "email is required"),
    ],
    ids=["no-at", "no-domain", "two-ats", "101-chars", "empty", "missing"],
)
def test_set_email_rejects_invalid_address(
    factory: Factory, value: str | None, message: str
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = profile_problems(factory, distributor, "setEmail", user=customer.username, email=value)
    assert found == [Problem("email", message)]
    assert row_of(factory, distributor, customer.username)["email"] == "contact@example.com"


# dispatch ------------------------------------------------------------------------------

METHODS = "profile, password, enable, disable, website_enable, website_disable, auth, limit"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, Problem("method", "method is required")),
        ({"method": ""}, Problem("method", "method is required")),
        ({"method": "frobnicate"}, Problem("method", f"method must be one of {METHODS}")),
        ({"method": "Profile"}, Problem("method", f"method must be one of {METHODS}")),
        ({"method": "profile"}, Problem("task", "task is required")),
        (
            {"method": "profile", "task": "delete"},
            Problem("task", f"task must be one of {PROFILE_TASKS}"),
        ),
        (
            {"method": "profile", "task": "GET"},
            Problem("task", f"task must be one of {PROFILE_TASKS}"),
        ),
    ],
)
def test_unknown_method_or_task(
    factory: Factory, params: dict[str, str], expected: Problem
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    assert problems(factory, MANAGE, distributor, user=customer.username, **params) == [expected]
    assert row_of(factory, distributor, customer.username)["active"] == "true"


def test_seed_typo_password_set_email_does_not_change_email(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = problems(
        factory,
        MANAGE,
        distributor,
        method="password",
        task="setEmail",
        user=customer.username,
        email="typo@example.com",
    )
    assert found == [
        Problem("password", "password is required"),
        Problem("confirm_password", "confirm_password is required"),
    ]
    assert row_of(factory, distributor, customer.username)["email"] == "contact@example.com"
    assert logs_in(factory, customer.username, customer.password)


def test_every_operation_is_reachable_by_its_method_and_task() -> None:
    """The selector's table is docs/api.md's and docs/api.md's: one operation per method, and
    per task of
    profile and of limit."""
    paths = [path for path, _ in MANAGE.operations()]
    assert paths == [
        ("profile", "get"),
        ("profile", "set"),
        ("profile", "setUsername"),
        ("profile", "setEmail"),
        ("profile", "setSenderDomains"),
        ("password",),
        ("enable",),
        ("disable",),
        ("website_enable",),
        ("website_disable",),
        ("auth",),
        ("limit", "retrieve"),
        ("limit", "none"),
        ("limit", "total"),
        ("limit", "increment"),
        ("limit", "decrement"),
        ("limit", "recurring"),
    ]
    assert manage.PROFILE.parameter == "task"
