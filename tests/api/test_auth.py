"""Who may call what (§2, §9): the 401/403 matrix over every endpoint and format."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.factories import Account, Factory, unique
from tests.support import errors, message, parse

BAD_LOGIN = ["Bad username / password"]
DISTRIBUTOR_CALLS = (
    "distributor.add",
    "distributor.delete",
    "distributor.manage",
    "distributor.packages",
)
CREDENTIAL_CALLS = ("credentials/get", "credentials/add", "credentials/edit", "credentials/remove")
ALL_CALLS = DISTRIBUTOR_CALLS + CREDENTIAL_CALLS


def call(factory: Factory, endpoint: str, fmt: str, auth: dict[str, str]) -> httpx.Response:
    """One call with exactly the given auth parameters and no others."""
    return factory.client.post(f"/api/{endpoint}.{fmt}", data=auth)


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert errors(response) == BAD_LOGIN


def assert_forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert message(response) == "error"
    assert errors(response)


def bad_logins(factory: Factory) -> dict[str, dict[str, str]]:
    """Every way to fail authentication, keyed by a description."""
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(distributor, email=1, web=1, api=1)
    return {
        "nothing": {},
        "missing api_user": {"api_key": distributor.password},
        "missing api_key": {"api_user": distributor.username},
        "empty api_user": {"api_user": "", "api_key": distributor.password},
        "empty api_key": {"api_user": distributor.username, "api_key": ""},
        "wrong password": {"api_user": distributor.username, "api_key": "wrong-password"},
        "password in wrong case": {
            "api_user": distributor.username,
            "api_key": distributor.password.upper(),
        },
        "unknown user": {"api_user": unique("nobody"), "api_key": distributor.password},
        "customer, wrong password": {"api_user": customer.username, "api_key": "wrong-password"},
        "credential, wrong password": {
            "api_user": credential.username,
            "api_key": "wrong-password",
        },
    }


@pytest.mark.parametrize("endpoint", ALL_CALLS)
def test_bad_logins_are_401_with_identical_bodies(
    factory: Factory, endpoint: str, fmt: str
) -> None:
    bodies = {}
    for case, auth in bad_logins(factory).items():
        response = call(factory, endpoint, fmt, auth)
        assert response.status_code == 401, (case, response.text)
        assert errors(response) == BAD_LOGIN, case
        bodies[case] = response.content
    assert len(set(bodies.values())) == 1, bodies


def test_bad_login_body_is_the_error_envelope(factory: Factory, fmt: str) -> None:
    response = call(factory, "credentials/get", fmt, {"api_user": unique("nobody")})
    assert response.status_code == 401
    assert parse(response) == {"message": "error", "errors": BAD_LOGIN}


def case_variants(username: str) -> list[str]:
    return [username.upper(), username.swapcase(), username[0].upper() + username[1:]]


def test_distributor_username_is_case_insensitive(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    for variant in case_variants(distributor.username):
        auth = {"api_user": variant, "api_key": distributor.password}
        assert call(factory, "distributor.packages", fmt, auth).status_code == 200, variant
        assert call(factory, "credentials/get", fmt, auth).status_code == 200, variant


def test_customer_username_is_case_insensitive(factory: Factory, fmt: str) -> None:
    customer = factory.customer(factory.distributor())
    auth = {"api_user": customer.username.upper(), "api_key": customer.password}
    assert call(factory, "credentials/get", fmt, auth).status_code == 200


def test_credential_username_is_case_insensitive(factory: Factory, fmt: str) -> None:
    credential = factory.credential(factory.distributor(), api=1)
    auth = {"api_user": credential.username.upper(), "api_key": credential.password}
    assert call(factory, "distributor.packages", fmt, auth).status_code == 200


def test_case_insensitive_login_acts_for_the_same_account(factory: Factory) -> None:
    distributor = factory.distributor()
    name = unique("cred")
    upper = Account(distributor.username.upper(), distributor.password)
    added = factory.call("credentials/add", "json", upper, username=name, password="secret-1")
    assert added.status_code == 200, added.text
    listed = factory.call("credentials/get", "json", distributor)
    assert [row["name"] for row in listed.json()] == [name]


@pytest.mark.parametrize("endpoint", DISTRIBUTOR_CALLS)
def test_customer_may_not_call_distributor_api(factory: Factory, endpoint: str, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = call(factory, endpoint, fmt, customer.auth)
    assert_forbidden(response)


def test_customer_forbidden_even_with_valid_parameters(factory: Factory) -> None:
    """A customer cannot act on itself or others through distributor.* calls."""
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call("distributor.delete", "json", customer, user=customer.username)
    assert_forbidden(response)
    assert factory.customer_row(distributor, customer.username) is not None


@pytest.mark.parametrize("endpoint", CREDENTIAL_CALLS)
def test_distributor_and_customer_may_call_credentials(factory: Factory, endpoint: str) -> None:
    distributor = factory.distributor()
    for account in (distributor, factory.customer(distributor)):
        existing = factory.credential(account).username
        name = unique("cred") if endpoint == "credentials/add" else existing
        response = factory.call(endpoint, "json", account, username=name, password="secret-1")
        assert response.status_code == 200, (account.username, response.text)


def credential_round_trip(factory: Factory, customer: Account) -> None:
    """add, get, edit, remove as the customer; each must succeed."""
    name = unique("cred")
    steps: list[tuple[str, dict[str, str]]] = [
        ("credentials/add", {"password": "secret-1", "permissions": json.dumps({"web": 1})}),
        ("credentials/get", {}),
        ("credentials/edit", {"email": "1"}),
        ("credentials/remove", {}),
    ]
    for endpoint, params in steps:
        response = factory.call(endpoint, "json", customer, username=name, **params)
        assert response.status_code == 200, (endpoint, response.text)


@pytest.mark.parametrize("method", ["disable", "website_disable"])
def test_disabled_customer_can_still_manage_credentials(factory: Factory, method: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    switched = factory.call(
        "distributor.manage", "json", distributor, method=method, user=customer.username
    )
    assert switched.status_code == 200, switched.text
    credential_round_trip(factory, customer)
    assert_forbidden(call(factory, "distributor.packages", "json", customer.auth))


def deleted_customer(factory: Factory) -> tuple[Account, Account]:
    """A deleted customer and the credential it had."""
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(customer, email=1, web=1, api=1)
    deleted = factory.call("distributor.delete", "json", distributor, user=customer.username)
    assert deleted.status_code == 200, deleted.text
    return customer, credential


@pytest.mark.parametrize("endpoint", ALL_CALLS)
def test_deleted_customer_and_its_credentials_are_401(
    factory: Factory, endpoint: str, fmt: str
) -> None:
    customer, credential = deleted_customer(factory)
    reference = call(factory, endpoint, fmt, {"api_user": unique("nobody"), "api_key": "x"})
    for login in (customer, credential):
        response = call(factory, endpoint, fmt, login.auth)
        assert_unauthorized(response)
        assert response.content == reference.content
