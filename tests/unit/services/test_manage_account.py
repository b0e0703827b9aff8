"""distributor.manage methods password, enable/disable, website_enable/website_disable
and auth (docs/api.md, distributor.manage), and a distributor's credential acting for its
distributor (docs/security.md, One access core)."""

from __future__ import annotations

import pytest

from gridreseller.api.legacy.manage import MANAGE
from gridreseller.domain.errors import Problem
from tests.factories import Account, Distributor, Factory
from tests.unit.services.support import logs_in, not_found, problems
from tests.unit.services.test_manage_profile import STRANGERS, row_of, stranger

FLAG_METHODS = {
    "enable": ("active", "true"),
    "disable": ("active", "false"),
    "website_enable": ("website_access", "true"),
    "website_disable": ("website_access", "false"),
}
NEW_PASSWORD = {"password": "brand-new-pass", "confirm_password": "brand-new-pass"}


def flags(factory: Factory, distributor: Account, user: str) -> tuple[str, str]:
    row = row_of(factory, distributor, user)
    return row["active"], row["website_access"]


def manage(factory: Factory, caller: Account, method: str, **params: str) -> None:
    factory.run(MANAGE, caller, method=method, **params)


# password ------------------------------------------------------------------------------


def test_password_reset(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    manage(factory, distributor, "password", user=customer.username, **NEW_PASSWORD)
    assert not logs_in(factory, customer.username, customer.password)
    assert logs_in(factory, customer.username, "brand-new-pass")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"password": "abc", "confirm_password": "abc"},
            [Problem("password", "password must be at least 6 characters")],
        ),
        (
            {"confirm_password": "brand-new-pass"},
            [
                Problem("password", "password is required"),
                Problem("confirm_password", "confirm_password must match password"),
            ],
        ),
        (
            {"password": "brand-new-pass", "confirm_password": "brand-new-pasz"},
            [Problem("confirm_password", "confirm_password must match password")],
        ),
        (
            {"password": "brand-new-pass"},
            [Problem("confirm_password", "confirm_password is required")],
        ),
        (
            {"password": "brand-new-pass", "confirm_password": ""},
            [Problem("confirm_password", "confirm_password is required")],
        ),
        (
            {"password": "x" * 257, "confirm_password": "x" * 257},
            [Problem("password", "password must be no more than 256 characters")],
        ),
        (
            {"password": "new\x00pass", "confirm_password": "new\x00pass"},
            [Problem("password", "password must not contain control characters")],
        ),
    ],
    ids=["short", "missing", "mismatch", "no-confirmation", "empty-confirmation", "long", "nul"],
)
def test_password_reset_rejected(
    factory: Factory, params: dict[str, str], expected: list[Problem]
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = problems(
        factory, MANAGE, distributor, method="password", user=customer.username, **params
    )
    assert found == expected
    assert logs_in(factory, customer.username, customer.password)
    assert not logs_in(factory, customer.username, params.get("password", ""))


def test_password_reset_without_user(factory: Factory) -> None:
    found = problems(factory, MANAGE, factory.distributor(), method="password", **NEW_PASSWORD)
    assert found == [Problem("user", "user is required")]


@pytest.mark.parametrize("kind", STRANGERS)
def test_password_reset_on_strangers_is_not_found(factory: Factory, kind: str) -> None:
    distributor = factory.distributor()
    user = stranger(factory, distributor, kind)
    answer = not_found(factory, MANAGE, distributor, method="password", user=user, **NEW_PASSWORD)
    assert not answer.bare


def test_password_reset_leaves_other_distributors_customer_alone(factory: Factory) -> None:
    foreign = factory.customer(factory.distributor())
    params = {"method": "password", "user": foreign.username, **NEW_PASSWORD}
    not_found(factory, MANAGE, factory.distributor(), **params)
    assert logs_in(factory, foreign.username, foreign.password)
    assert not logs_in(factory, foreign.username, "brand-new-pass")


# enable / disable / website_enable / website_disable ------------------------------------


def test_disable_and_enable_flip_active_only(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    manage(factory, distributor, "disable", user=customer.username)
    assert flags(factory, distributor, customer.username) == ("false", "true")
    manage(factory, distributor, "enable", user=customer.username)
    assert flags(factory, distributor, customer.username) == ("true", "true")


def test_website_disable_and_enable_flip_website_access_only(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    manage(factory, distributor, "website_disable", user=customer.username)
    assert flags(factory, distributor, customer.username) == ("true", "false")
    manage(factory, distributor, "disable", user=customer.username)
    assert flags(factory, distributor, customer.username) == ("false", "false")
    manage(factory, distributor, "website_enable", user=customer.username)
    assert flags(factory, distributor, customer.username) == ("false", "true")


def test_disable_accepts_username(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    manage(factory, distributor, "disable", username=customer.username)
    assert flags(factory, distributor, customer.username) == ("false", "true")


def test_disable_reads_username_when_user_is_empty(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    manage(factory, distributor, "disable", user="", username=customer.username)
    assert flags(factory, distributor, customer.username) == ("false", "true")


@pytest.mark.parametrize("method", ["enable", "website_enable", "website_disable"])
def test_only_disable_takes_username(factory: Factory, method: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = problems(factory, MANAGE, distributor, method=method, username=customer.username)
    assert found == [Problem("user", "user is required")]


def test_disable_user_wins_over_username(factory: Factory) -> None:
    distributor = factory.distributor()
    chosen = factory.customer(distributor)
    ignored = factory.customer(distributor)
    manage(factory, distributor, "disable", user=chosen.username, username=ignored.username)
    assert flags(factory, distributor, chosen.username)[0] == "false"
    assert flags(factory, distributor, ignored.username)[0] == "true"


@pytest.mark.parametrize("method", FLAG_METHODS)
def test_flag_methods_are_idempotent(factory: Factory, method: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    field, value = FLAG_METHODS[method]
    for _ in range(2):
        manage(factory, distributor, method, user=customer.username)
        assert row_of(factory, distributor, customer.username)[field] == value


@pytest.mark.parametrize("user", [None, ""], ids=["missing", "empty"])
@pytest.mark.parametrize("method", FLAG_METHODS)
def test_flag_methods_without_user(factory: Factory, method: str, user: str | None) -> None:
    found = problems(factory, MANAGE, factory.distributor(), method=method, user=user)
    assert found == [Problem("user", "user is required")]


@pytest.mark.parametrize("kind", [*STRANGERS, "unknown user beside unknown username"])
@pytest.mark.parametrize("method", FLAG_METHODS)
def test_flag_methods_on_strangers(factory: Factory, method: str, kind: str) -> None:
    """docs/api.md, Response formats: the bare "User not found" form."""
    distributor = factory.distributor()
    if kind in STRANGERS:
        answer = not_found(
            factory, MANAGE, distributor, method=method, user=stranger(factory, distributor, kind)
        )
    else:
        answer = not_found(
            factory,
            MANAGE,
            distributor,
            method=method,
            username="x@example.com",
            user="nobody@example.com",
        )
    assert answer.bare


def test_disable_leaves_other_distributors_customer_alone(factory: Factory) -> None:
    owner = factory.distributor()
    foreign = factory.customer(owner)
    not_found(factory, MANAGE, factory.distributor(), method="disable", username=foreign.username)
    assert flags(factory, owner, foreign.username) == ("true", "true")


# auth ---------------------------------------------------------------------------------


def test_auth_with_the_right_password(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    manage(factory, distributor, "auth", user=customer.username, password=customer.password)


@pytest.mark.parametrize("password", ["wrong-password", "SECRET-PASS", "secret-pass ", ""])
def test_auth_with_a_wrong_password(factory: Factory, password: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = problems(
        factory, MANAGE, distributor, method="auth", user=customer.username, password=password
    )
    expected = "password is required" if password == "" else "password is incorrect"
    assert found == [Problem("password", expected)]


def test_auth_without_password(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    found = problems(factory, MANAGE, distributor, method="auth", user=customer.username)
    assert found == [Problem("password", "password is required")]


@pytest.mark.parametrize("kind", STRANGERS)
def test_auth_on_strangers_is_not_found(factory: Factory, kind: str) -> None:
    distributor = factory.distributor()
    user = stranger(factory, distributor, kind)
    answer = not_found(
        factory, MANAGE, distributor, method="auth", user=user, password="secret-pass"
    )
    assert not answer.bare


# a distributor's credential with the api bit acts for its distributor -----------------


def exercise_every_method(factory: Factory, caller: Account, distributor: Distributor) -> None:
    customer = factory.customer(distributor)
    user = customer.username
    for method in ("disable", "website_disable"):
        manage(factory, caller, method, user=user)
    assert flags(factory, caller, user) == ("false", "false")
    for method in ("enable", "website_enable"):
        manage(factory, caller, method, user=user)
    assert flags(factory, caller, user) == ("true", "true")
    manage(factory, caller, "password", user=user, password="via-cred", confirm_password="via-cred")
    assert logs_in(factory, user, "via-cred")
    manage(factory, caller, "auth", user=user, password="via-cred")


def test_distributor_credential_with_api_bit(factory: Factory) -> None:
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    exercise_every_method(factory, credential, distributor)
    foreign = factory.customer(factory.distributor())
    assert not_found(factory, MANAGE, credential, method="disable", user=foreign.username).bare
