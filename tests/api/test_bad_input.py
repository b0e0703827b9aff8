"""One representative of each kind of bad input, to show its status and error envelope
rendered exactly in both formats on both databases, and nothing changed: a missing,
too long, control-character or malformed parameter, several problems at once, an
unknown method or task, a taken username, another tenant's customer (404, in the
envelope and in the seed's bare form), wrong logins (401) and logins that may not
(403) on every call. Each rule itself is tested at the service level
(tests/unit/services/); 404/405/413/415, duplicated login parameters and throttling
(429) are in test_transport.py and test_security.py."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest

from gridreseller.api.legacy import customers
from gridreseller.services.context import ServiceContext
from tests.api.test_calls import XML_DECLARATION, assert_answer
from tests.factories import Account, Distributor, Factory, customer_params, unique

DISTRIBUTOR_CALLS = (
    "distributor.add",
    "distributor.delete",
    "distributor.manage",
    "distributor.packages",
)
CREDENTIAL_CALLS = ("credentials/get", "credentials/add", "credentials/edit", "credentials/remove")
ALL_CALLS = DISTRIBUTOR_CALLS + CREDENTIAL_CALLS
BAD_LOGIN = "Bad username / password"


def error_body(fmt: str, *errors: str) -> bytes:
    """The error envelope (docs/api.md, Response formats), written out by hand."""
    if fmt == "json":
        listed = ",".join(f'"{error}"' for error in errors)
        return f'{{"message":"error","errors":[{listed}]}}\n'.encode()
    items = "".join(f"<error>{escape(error)}</error>" for error in errors)
    return (
        XML_DECLARATION
        + f"<result><message>error</message><errors>{items}</errors></result>\n".encode()
    )


def assert_error(response: httpx.Response, fmt: str, status: int, *errors: str) -> None:
    assert_answer(response, fmt, status)
    assert response.content == error_body(fmt, *errors)


# 400 -------------------------------------------------------------------------------------


def test_missing_parameter(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    params = customer_params(distributor.package)
    del params["city"]
    response = factory.call("distributor.add", fmt, distributor, **params)
    assert_error(response, fmt, 400, "city is required")
    assert factory.customers_of(distributor) == []


def test_too_long(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    before = factory.customer_row(distributor, customer.username)
    response = factory.call(
        "distributor.manage",
        fmt,
        distributor,
        method="profile",
        task="set",
        user=customer.username,
        first_name="x" * 51,
    )
    assert_error(response, fmt, 400, "first_name must be no more than 50 characters")
    assert factory.customer_row(distributor, customer.username) == before


def test_control_characters(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = factory.call(
        "distributor.manage", fmt, distributor, method="profile", task="get", city="a\x00b"
    )
    assert_error(response, fmt, 400, "city must not contain control characters")


def test_wrong_format(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call(
        "distributor.manage",
        fmt,
        distributor,
        method="profile",
        task="setEmail",
        user=customer.username,
        email="not-an-email",
    )
    assert_error(response, fmt, 400, "email must be a valid email address")
    row = factory.customer_row(distributor, customer.username)
    assert row is not None and row["email"] == "contact@example.com"


def test_every_problem_of_a_request_together(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = factory.call(
        "credentials/add", fmt, distributor, username="bad name", password="x", permissions="{"
    )
    assert_error(
        response,
        fmt,
        400,
        "username must be 1 to 64 letters, digits or _ . - @ +",
        "password must be at least 6 characters",
        "permissions must be a JSON object",
    )
    assert factory.call("credentials/get", "json", distributor).json() == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"method": "frobnicate"},
            "method must be one of profile, password, enable, disable, website_enable, "
            "website_disable, auth, limit",
        ),
        ({"method": "profile"}, "task is required"),
    ],
    ids=["method", "task"],
)
def test_unknown_method_or_task(
    factory: Factory, fmt: str, params: dict[str, str], error: str
) -> None:
    response = factory.call("distributor.manage", fmt, factory.distributor(), **params)
    assert_error(response, fmt, 400, error)


def test_username_taken(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    taken = factory.deleted_customer(distributor).username.upper()
    params = customer_params(distributor.package, username=taken)
    response = factory.call("distributor.add", fmt, distributor, **params)
    assert_error(response, fmt, 400, "username is already taken")
    assert factory.customers_of(distributor) == []


def test_wrong_customer_password_in_auth(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call(
        "distributor.manage", fmt, distributor, method="auth", user=customer.username, password="x"
    )
    assert_error(response, fmt, 400, "password is incorrect")


# 404 -------------------------------------------------------------------------------------


def test_another_tenants_customer_is_not_found(factory: Factory, fmt: str) -> None:
    owner = factory.distributor()
    foreign = factory.customer(owner)
    response = factory.call("distributor.delete", fmt, factory.distributor(), user=foreign.username)
    assert_error(response, fmt, 404, "User not found")
    assert factory.customer_row(owner, foreign.username) is not None


@pytest.mark.parametrize("method", ["enable", "disable", "website_enable", "website_disable"])
def test_flag_on_another_tenants_customer_is_the_bare_not_found(
    factory: Factory, fmt: str, method: str
) -> None:
    """docs/api.md, Response formats: exactly {"message": "User not found"}, no error envelope."""
    owner = factory.distributor()
    foreign = factory.customer(owner)
    before = factory.customer_row(owner, foreign.username)
    response = factory.call(
        "distributor.manage", fmt, factory.distributor(), method=method, user=foreign.username
    )
    assert_answer(response, fmt, 404)
    assert (
        response.content
        == {
            "json": b'{"message":"User not found"}\n',
            "xml": XML_DECLARATION + b"<result><message>User not found</message></result>\n",
        }[fmt]
    )
    assert factory.customer_row(owner, foreign.username) == before


def test_another_accounts_credential_is_not_found(factory: Factory, fmt: str) -> None:
    other = factory.distributor()
    credential = factory.credential(other)
    response = factory.call(
        "credentials/edit", fmt, factory.distributor(), username=credential.username, api="1"
    )
    assert_error(response, fmt, 404, "User not found")
    assert factory.call("credentials/get", "json", other).json()[0]["permissions"]["api"] == 0


# 401 -------------------------------------------------------------------------------------


def call(factory: Factory, endpoint: str, fmt: str, auth: dict[str, str]) -> httpx.Response:
    """One call with exactly the given login parameters and no others."""
    return factory.client.post(f"/api/{endpoint}.{fmt}", data=auth)


@pytest.fixture(scope="module")
def bad_logins(ctx: ServiceContext, client: httpx.Client) -> dict[str, dict[str, str]]:
    """Every way authentication fails, the same on every call (the access core's
    cases are in tests/unit/services/test_authentication.py; reading missing and empty
    parameters is the API's part). Made once per database: no call changes them."""
    factory = Factory(ctx, client)
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(distributor, email=1, web=1, api=1)
    gone = factory.customer(distributor)
    gone_credential = factory.credential(gone, email=1, web=1, api=1)
    factory.run(customers.DELETE, distributor, user=gone.username)
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
        "credential, wrong password": {"api_user": credential.username, "api_key": "x"},
        "deleted customer": gone.auth,
        "deleted customer's credential": gone_credential.auth,
    }


@pytest.mark.parametrize("endpoint", ALL_CALLS)
def test_bad_logins_are_401_with_identical_bodies(
    factory: Factory, bad_logins: dict[str, dict[str, str]], endpoint: str, fmt: str
) -> None:
    for case, auth in bad_logins.items():
        response = call(factory, endpoint, fmt, auth)
        assert response.status_code == 401, case
        assert_error(response, fmt, 401, BAD_LOGIN)


# 403 -------------------------------------------------------------------------------------

NOT_DISTRIBUTOR = "api_user is a customer account and may only call credentials/*"
NO_API = "api_user lacks the api permission"
CUSTOMER_CREDENTIAL = "api_user is a customer's credential and may not call the API"
NOT_PRIMARY = "api_user is a credential; only the primary account manages credentials"


def _customer(factory: Factory, distributor: Distributor) -> Account:
    return factory.customer(distributor)


def _credential_without_api(factory: Factory, distributor: Distributor) -> Account:
    return factory.credential(distributor, email=1, web=1)


def _customers_credential(factory: Factory, distributor: Distributor) -> Account:
    return factory.credential(factory.customer(distributor), email=1, web=1, api=1)


def _distributors_credential(factory: Factory, distributor: Distributor) -> Account:
    return factory.credential(distributor, email=1, web=1, api=1)


# One refused login per call, every reason the API gives (api/refusals.py) at least
# once; tests/unit/services/test_authentication.py has every role on every purpose.
REFUSED: dict[str, tuple[Any, str]] = {
    "distributor.add": (_customer, NOT_DISTRIBUTOR),
    "distributor.delete": (_credential_without_api, NO_API),
    "distributor.manage": (_customers_credential, CUSTOMER_CREDENTIAL),
    "distributor.packages": (_credential_without_api, NO_API),
    "credentials/get": (_distributors_credential, NOT_PRIMARY),
    "credentials/add": (_customers_credential, NOT_PRIMARY),
    "credentials/edit": (_distributors_credential, NOT_PRIMARY),
    "credentials/remove": (_customers_credential, NOT_PRIMARY),
}


@pytest.mark.parametrize("endpoint", REFUSED)
def test_logins_that_may_not_are_403(factory: Factory, fmt: str, endpoint: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    make, reason = REFUSED[endpoint]
    login = make(factory, distributor)
    before = factory.customers_of(distributor)
    credentials_before = factory.call("credentials/get", "json", distributor).json()
    params = {
        "method": "disable",
        "user": customer.username,
        "username": unique("cred"),
        "password": "cred-secret",
    }
    assert_error(factory.call(endpoint, fmt, login, **params), fmt, 403, reason)
    assert factory.customers_of(distributor) == before
    assert factory.call("credentials/get", "json", distributor).json() == credentials_before
