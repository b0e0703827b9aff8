"""distributor.manage methods password, enable/disable, website_*, auth (§6), and who may call."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.factories import Account, Distributor, Factory
from tests.api.test_manage_profile import (
    XML_DECLARATION,
    logs_in,
    manage,
    names_param,
    not_found,
    row_of,
    strangers,
)
from tests.support import message

FLAG_METHODS = {
    "enable": ("active", "true"),
    "disable": ("active", "false"),
    "website_enable": ("website_access", "true"),
    "website_disable": ("website_access", "false"),
}


def succeeds(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert message(response) == "success"


def flags(factory: Factory, fmt: str, distributor: Account, user: str) -> tuple[str, str]:
    row = row_of(factory, fmt, distributor, user)
    return row["active"], row["website_access"]


def reset(
    factory: Factory, fmt: str, distributor: Account, user: str, **params: str
) -> httpx.Response:
    return manage(factory, fmt, distributor, method="password", user=user, **params)


# password ------------------------------------------------------------------------------


def test_password_reset(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    succeeds(
        reset(
            factory,
            fmt,
            distributor,
            customer.username,
            password="brand-new-pass",
            confirm_password="brand-new-pass",
        )
    )
    assert logs_in(factory, customer.username, customer.password) == 401
    assert logs_in(factory, customer.username, "brand-new-pass") == 200


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"password": "abc", "confirm_password": "abc"}, "password"),
        ({"confirm_password": "brand-new-pass"}, "password"),
        ({"password": "brand-new-pass", "confirm_password": "brand-new-pasz"}, "confirm_password"),
        ({"password": "brand-new-pass"}, "confirm_password"),
        ({"password": "brand-new-pass", "confirm_password": ""}, "confirm_password"),
        ({"password": "x" * 257, "confirm_password": "x" * 257}, "password"),
    ],
)
def test_password_reset_rejected(
    factory: Factory, fmt: str, params: dict[str, str], param: str
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    names_param(reset(factory, fmt, distributor, customer.username, **params), param)
    assert logs_in(factory, customer.username, customer.password) == 200
    assert logs_in(factory, customer.username, params.get("password", "")) == 401


def test_password_reset_without_user(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = manage(
        factory,
        fmt,
        distributor,
        method="password",
        password="brand-new-pass",
        confirm_password="brand-new-pass",
    )
    names_param(response, "user")


def test_password_reset_on_strangers_is_not_found(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    for user in strangers(factory, distributor).values():
        not_found(
            reset(
                factory,
                fmt,
                distributor,
                user,
                password="brand-new-pass",
                confirm_password="brand-new-pass",
            )
        )


def test_password_reset_leaves_other_distributors_customer_alone(
    factory: Factory, fmt: str
) -> None:
    foreign = factory.customer(factory.distributor())
    not_found(
        reset(
            factory,
            fmt,
            factory.distributor(),
            foreign.username,
            password="brand-new-pass",
            confirm_password="brand-new-pass",
        )
    )
    assert logs_in(factory, foreign.username, foreign.password) == 200


# enable / disable / website_enable / website_disable ------------------------------------


def test_disable_and_enable_flip_active_only(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    succeeds(manage(factory, fmt, distributor, method="disable", user=customer.username))
    assert flags(factory, fmt, distributor, customer.username) == ("false", "true")
    succeeds(manage(factory, fmt, distributor, method="enable", user=customer.username))
    assert flags(factory, fmt, distributor, customer.username) == ("true", "true")


def test_website_disable_and_enable_flip_website_access_only(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    succeeds(manage(factory, fmt, distributor, method="website_disable", user=customer.username))
    assert flags(factory, fmt, distributor, customer.username) == ("true", "false")
    succeeds(manage(factory, fmt, distributor, method="disable", user=customer.username))
    assert flags(factory, fmt, distributor, customer.username) == ("false", "false")
    succeeds(manage(factory, fmt, distributor, method="website_enable", user=customer.username))
    assert flags(factory, fmt, distributor, customer.username) == ("false", "true")


def test_disable_accepts_username(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    succeeds(manage(factory, fmt, distributor, method="disable", username=customer.username))
    assert flags(factory, fmt, distributor, customer.username) == ("false", "true")


def test_disable_user_wins_over_username(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    chosen = factory.customer(distributor)
    ignored = factory.customer(distributor)
    succeeds(
        manage(
            factory,
            fmt,
            distributor,
            method="disable",
            user=chosen.username,
            username=ignored.username,
        )
    )
    assert flags(factory, fmt, distributor, chosen.username)[0] == "false"
    assert flags(factory, fmt, distributor, ignored.username)[0] == "true"


@pytest.mark.parametrize("method", FLAG_METHODS)
def test_flag_methods_are_idempotent(factory: Factory, fmt: str, method: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    field, value = FLAG_METHODS[method]
    for _ in range(2):
        succeeds(manage(factory, fmt, distributor, method=method, user=customer.username))
        assert row_of(factory, fmt, distributor, customer.username)[field] == value


@pytest.mark.parametrize("method", FLAG_METHODS)
def test_flag_methods_without_user(factory: Factory, fmt: str, method: str) -> None:
    names_param(manage(factory, fmt, factory.distributor(), method=method), "user")


def bare_not_found(response: httpx.Response, fmt: str) -> None:
    """§3: exactly {"message": "User not found"}, no error envelope."""
    assert response.status_code == 404, response.text
    if fmt == "json":
        assert json.loads(response.content) == {"message": "User not found"}
    else:
        assert response.content.startswith(XML_DECLARATION)
        body = response.content.removeprefix(XML_DECLARATION).strip()
        assert body == b"<result><message>User not found</message></result>"


@pytest.mark.parametrize("method", FLAG_METHODS)
def test_flag_methods_on_strangers(factory: Factory, fmt: str, method: str) -> None:
    distributor = factory.distributor()
    for user in strangers(factory, distributor).values():
        bare_not_found(manage(factory, fmt, distributor, method=method, user=user), fmt)
    bare_not_found(
        manage(
            factory,
            fmt,
            distributor,
            method=method,
            username="x@example.com",
            user="nobody@example.com",
        ),
        fmt,
    )


def test_disable_leaves_other_distributors_customer_alone(factory: Factory, fmt: str) -> None:
    owner = factory.distributor()
    foreign = factory.customer(owner)
    response = manage(
        factory, fmt, factory.distributor(), method="disable", username=foreign.username
    )
    bare_not_found(response, fmt)
    assert flags(factory, fmt, owner, foreign.username) == ("true", "true")


# auth ---------------------------------------------------------------------------------


def test_auth_with_the_right_password(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    succeeds(
        manage(
            factory,
            fmt,
            distributor,
            method="auth",
            user=customer.username,
            password=customer.password,
        )
    )


@pytest.mark.parametrize("password", ["wrong-password", "SECRET-PASS", "secret-pass "])
def test_auth_with_a_wrong_password(factory: Factory, fmt: str, password: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = manage(
        factory, fmt, distributor, method="auth", user=customer.username, password=password
    )
    names_param(response, "password")


def test_auth_without_password(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    names_param(
        manage(factory, fmt, distributor, method="auth", user=customer.username), "password"
    )


def test_auth_on_strangers_is_not_found(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    for user in strangers(factory, distributor).values():
        not_found(
            manage(factory, fmt, distributor, method="auth", user=user, password="secret-pass")
        )


# who may call distributor.manage -------------------------------------------------------


def exercise_every_method(
    factory: Factory, fmt: str, caller: Account, distributor: Distributor
) -> None:
    customer = factory.customer(distributor)
    user = customer.username
    for method in ("disable", "website_disable"):
        succeeds(manage(factory, fmt, caller, method=method, user=user))
    assert flags(factory, fmt, caller, user) == ("false", "false")
    for method in ("enable", "website_enable"):
        succeeds(manage(factory, fmt, caller, method=method, user=user))
    assert flags(factory, fmt, caller, user) == ("true", "true")
    succeeds(reset(factory, fmt, caller, user, password="via-cred", confirm_password="via-cred"))
    assert logs_in(factory, user, "via-cred") == 200
    succeeds(manage(factory, fmt, caller, method="auth", user=user, password="via-cred"))


def test_distributor_credential_with_api_bit(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    exercise_every_method(factory, fmt, credential, distributor)
    foreign = factory.customer(factory.distributor())
    bare_not_found(manage(factory, fmt, credential, method="disable", user=foreign.username), fmt)


@pytest.mark.parametrize("bits", [{"api": 0}, {"email": 1, "web": 1, "api": 0}, {}])
def test_distributor_credential_without_api_bit(
    factory: Factory, fmt: str, bits: dict[str, int]
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(distributor, **bits)
    for method in ("disable", "website_disable"):
        response = manage(factory, fmt, credential, method=method, user=customer.username)
        assert response.status_code == 403, response.text
    response = reset(
        factory,
        fmt,
        credential,
        customer.username,
        password="via-cred",
        confirm_password="via-cred",
    )
    assert response.status_code == 403, response.text
    assert flags(factory, fmt, distributor, customer.username) == ("true", "true")
    assert logs_in(factory, customer.username, customer.password) == 200


def test_customer_may_not_call_manage(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    for params in ({"method": "disable"}, {"method": "profile", "task": "get"}):
        response = manage(factory, fmt, customer, user=customer.username, **params)
        assert response.status_code == 403, response.text
    assert flags(factory, fmt, distributor, customer.username) == ("true", "true")


def test_customers_credential_may_not_call_manage(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(customer, api=1, web=1, email=1)
    response = manage(factory, fmt, credential, method="disable", user=customer.username)
    assert response.status_code == 403, response.text
    assert flags(factory, fmt, distributor, customer.username) == ("true", "true")
