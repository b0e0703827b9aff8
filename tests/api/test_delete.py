"""distributor.delete (§5): soft delete, after which the customer is gone but its name stays."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.support import errors, message, parse

NOT_FOUND = "User not found"
BAD_LOGIN = "Bad username / password"

# Calls on a user that answer 404 with the error envelope once it is gone.
ENVELOPE_CALLS: dict[str, dict[str, str]] = {
    "profile set": {"method": "profile", "task": "set", "first_name": "Grace"},
    "profile setUsername": {
        "method": "profile",
        "task": "setUsername",
        "username": unique("renamed") + "@example.com",
    },
    "profile setEmail": {"method": "profile", "task": "setEmail", "email": "new@example.com"},
    "password": {"method": "password", "password": "new-secret", "confirm_password": "new-secret"},
    "auth": {"method": "auth", "password": "secret-pass"},
}
# Calls that answer the bare {"message": "User not found"} form.
BARE_CALLS = ("enable", "disable", "website_enable", "website_disable")


def delete(factory: Factory, fmt: str, distributor: Account, user: str | None) -> httpx.Response:
    return factory.call("distributor.delete", fmt, distributor, user=user)


def manage(factory: Factory, fmt: str, distributor: Account, **params: Any) -> httpx.Response:
    return factory.call("distributor.manage", fmt, distributor, **params)


def assert_user_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    assert errors(response) == [NOT_FOUND]


def assert_success(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert message(response) == "success"


def deleted_customer(factory: Factory) -> tuple[Distributor, Account]:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    assert_success(delete(factory, "json", distributor, customer.username))
    return distributor, customer


def test_delete_success(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    kept, gone = factory.customer(distributor), factory.customer(distributor)
    assert_success(delete(factory, fmt, distributor, gone.username))
    listed = manage(factory, fmt, distributor, method="profile", task="get")
    assert [row["username"] for row in parse(listed)] == [kept.username]
    assert factory.customer_row(distributor, gone.username) is None


def test_deleted_customer_cannot_log_in(factory: Factory, fmt: str) -> None:
    _, customer = deleted_customer(factory)
    response = factory.call("credentials/get", fmt, customer)
    assert response.status_code == 401
    assert errors(response) == [BAD_LOGIN]


@pytest.mark.parametrize("call", ENVELOPE_CALLS)
def test_deleted_customer_not_found_envelope(factory: Factory, fmt: str, call: str) -> None:
    distributor, customer = deleted_customer(factory)
    response = manage(factory, fmt, distributor, user=customer.username, **ENVELOPE_CALLS[call])
    assert_user_not_found(response)


@pytest.mark.parametrize("method", BARE_CALLS)
def test_deleted_customer_not_found_bare(factory: Factory, fmt: str, method: str) -> None:
    distributor, customer = deleted_customer(factory)
    response = manage(factory, fmt, distributor, method=method, user=customer.username)
    assert response.status_code == 404, response.text
    assert parse(response) == {"message": NOT_FOUND}


@pytest.mark.parametrize("same_distributor", [True, False], ids=["same", "other"])
def test_username_stays_reserved(factory: Factory, fmt: str, same_distributor: bool) -> None:
    distributor, customer = deleted_customer(factory)
    adder = distributor if same_distributor else factory.distributor()
    for username in (customer.username, customer.username.upper()):
        params = customer_params(adder.package, username=username)
        response = factory.call("distributor.add", fmt, adder, **params)
        assert response.status_code == 400, response.text
        assert "username is already taken" in errors(response)
    assert factory.customers_of(adder) == []


def test_credentials_go_with_the_customer(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(customer, email=1, web=1, api=1)
    # A customer's credential never reaches the API, but it does authenticate.
    assert factory.call("credentials/get", fmt, credential).status_code == 403
    assert factory.call("distributor.packages", fmt, credential).status_code == 403

    assert_success(delete(factory, fmt, distributor, customer.username))
    for endpoint in ("credentials/get", "distributor.packages"):
        response = factory.call(endpoint, fmt, credential)
        assert response.status_code == 401, (endpoint, response.text)
        assert errors(response) == [BAD_LOGIN]


def test_delete_twice(factory: Factory, fmt: str) -> None:
    distributor, customer = deleted_customer(factory)
    assert_user_not_found(delete(factory, fmt, distributor, customer.username))


def test_delete_unknown_user(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    assert_user_not_found(delete(factory, fmt, distributor, "nobody-here@example.com"))


def test_delete_another_distributors_customer(factory: Factory, fmt: str) -> None:
    distributor, owner = factory.distributor(), factory.distributor()
    customer = factory.customer(owner)
    before = factory.customer_row(owner, customer.username)
    assert_user_not_found(delete(factory, fmt, distributor, customer.username))

    assert factory.customer_row(owner, customer.username) == before
    assert before is not None and before["active"] == "true"
    assert factory.call("credentials/get", "json", customer).status_code == 200


@pytest.mark.parametrize("user", [None, ""], ids=["missing", "empty"])
def test_delete_without_user(factory: Factory, fmt: str, user: str | None) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = delete(factory, fmt, distributor, user)
    assert response.status_code == 400, response.text
    assert any(e.split()[0] == "user" for e in errors(response)), errors(response)
    assert [row["username"] for row in factory.customers_of(distributor)] == [customer.username]


def test_delete_by_distributor_credential_with_api(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    no_api = factory.credential(distributor, api=0)
    assert delete(factory, fmt, no_api, customer.username).status_code == 403
    assert factory.customer_row(distributor, customer.username) is not None

    with_api = factory.credential(distributor, api=1)
    assert_success(delete(factory, fmt, with_api, customer.username))
    assert factory.customers_of(distributor) == []
