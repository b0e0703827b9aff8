"""Who may call what (docs/api.md; docs/security.md; docs/deployment.md) as the access core
decides it on stored logins: every
way to fail authentication, and each role's refusal with its reason. The API tests
render one 401 and one 403 per call; the table itself is walked in tests/unit/test_access.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from gridreseller.api.legacy import credentials, customers
from gridreseller.api.legacy.manage import MANAGE
from gridreseller.domain.access import Denial, Principal, Purpose, Role
from gridreseller.domain.errors import Forbidden, Unauthorized
from gridreseller.domain.models import CredentialList
from gridreseller.services import operator
from tests.factories import CLIENT, Account, Factory, run_coroutine, unique

API, CREDS = Purpose.API_DISTRIBUTOR, Purpose.API_CREDENTIALS
PURPOSES = pytest.mark.parametrize("purpose", [API, CREDS], ids=["distributor.*", "credentials"])


def authenticate(factory: Factory, username: str, secret: str, purpose: Purpose) -> Principal:
    login = factory.ctx.identity.authenticate(username, secret, CLIENT, purpose)
    return run_coroutine(login)


def refused(factory: Factory, account: Account, purpose: Purpose) -> Denial:
    with pytest.raises(Forbidden) as raised:
        authenticate(factory, account.username, account.password, purpose)
    return raised.value.denial


def unauthorized(factory: Factory, username: str, secret: str, purpose: Purpose) -> str:
    with pytest.raises(Unauthorized) as raised:
        authenticate(factory, username, secret, purpose)
    return str(raised.value)


BadLogin = Callable[[Factory], tuple[str, str]]


def _distributor(factory: Factory) -> Account:
    return factory.distributor()


def deleted_customers_credential(factory: Factory) -> tuple[str, str]:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(customer, email=1, web=1, api=1)
    factory.run(customers.DELETE, distributor, user=customer.username)
    return credential.username, credential.password


def removed_credential(factory: Factory) -> tuple[str, str]:
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    factory.run(credentials.REMOVE, distributor, username=credential.username)
    return credential.username, credential.password


BAD_LOGINS: dict[str, BadLogin] = {
    "nothing": lambda f: ("", ""),
    "missing api_user": lambda f: ("", _distributor(f).password),
    "missing api_key": lambda f: (_distributor(f).username, ""),
    "wrong password": lambda f: (_distributor(f).username, "wrong-password"),
    "password in wrong case": lambda f: (
        (d := _distributor(f)).username,
        d.password.upper(),
    ),
    "unknown user": lambda f: (unique("nobody"), "distributor-pass"),
    "customer, wrong password": lambda f: (
        f.customer(f.distributor()).username,
        "wrong-password",
    ),
    "credential, wrong password": lambda f: (
        f.credential(f.distributor(), email=1, web=1, api=1).username,
        "wrong-password",
    ),
    "deleted customer": lambda f: (f.deleted_customer(f.distributor()).username, "secret-pass"),
    "deleted customer's credential": deleted_customers_credential,
    "removed credential": removed_credential,
    "control characters": lambda f: ("evil\r\nname", "x"),
}


@PURPOSES
@pytest.mark.parametrize("case", BAD_LOGINS)
def test_bad_logins_are_one_and_the_same_failure(
    factory: Factory, case: str, purpose: Purpose
) -> None:
    username, secret = BAD_LOGINS[case](factory)
    assert unauthorized(factory, username, secret, purpose) == "Bad username / password"


def case_variants(username: str) -> list[str]:
    return [username.upper(), username.swapcase(), username[0].upper() + username[1:]]


@PURPOSES
def test_distributor_username_is_case_insensitive(factory: Factory, purpose: Purpose) -> None:
    distributor = factory.distributor()
    expected = factory.actor(distributor, purpose)
    for variant in case_variants(distributor.username):
        principal = authenticate(factory, variant, distributor.password, purpose)
        assert principal.username == distributor.username  # as stored
        assert principal.actor == expected


def test_customer_username_is_case_insensitive(factory: Factory) -> None:
    customer = factory.customer(factory.distributor())
    principal = authenticate(factory, customer.username.upper(), customer.password, CREDS)
    assert (principal.role, principal.username) == (Role.CUSTOMER, customer.username)


def test_credential_username_is_case_insensitive(factory: Factory) -> None:
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    principal = authenticate(factory, credential.username.upper(), credential.password, API)
    assert principal.role is Role.DISTRIBUTOR_CREDENTIAL
    assert principal.actor.account_id == factory.actor(distributor).account_id


def test_case_insensitive_login_acts_for_the_same_account(factory: Factory) -> None:
    distributor = factory.distributor()
    name = unique("cred")
    upper = Account(distributor.username.upper(), distributor.password)
    factory.run(credentials.ADD, upper, username=name, password="secret-1")
    listed = factory.run(credentials.GET, distributor)
    assert isinstance(listed, CredentialList)
    assert [c.name for c in listed.credentials] == [name]


# Who may do what ---------------------------------------------------------------------


def test_customer_may_not_call_distributor_api(factory: Factory) -> None:
    customer = factory.customer(factory.distributor())
    assert refused(factory, customer, API) is Denial.CUSTOMER_NOT_DISTRIBUTOR


def test_distributor_and_customer_may_call_credentials(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    assert authenticate(factory, distributor.username, distributor.password, CREDS).role is (
        Role.DISTRIBUTOR
    )
    assert authenticate(factory, customer.username, customer.password, CREDS).role is Role.CUSTOMER


def credential_round_trip(factory: Factory, customer: Account) -> None:
    """add, get, edit, remove as the customer; each must succeed."""
    name = unique("cred")
    factory.run(
        credentials.ADD, customer, username=name, password="secret-1", permissions='{"web": 1}'
    )
    factory.run(credentials.GET, customer, username=name)
    factory.run(credentials.EDIT, customer, username=name, email="1")
    factory.run(credentials.REMOVE, customer, username=name)


@pytest.mark.parametrize("method", ["disable", "website_disable"])
def test_disabled_customer_can_still_manage_credentials(factory: Factory, method: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    factory.run(MANAGE, distributor, method=method, user=customer.username)
    credential_round_trip(factory, customer)
    assert refused(factory, customer, API) is Denial.CUSTOMER_NOT_DISTRIBUTOR


@pytest.mark.parametrize(
    "bits",
    [{}, {"api": 0}, {"email": 1}, {"email": 1, "web": 1}, {"email": 1, "web": 1, "api": 0}],
    ids=["none", "api-0", "email", "email+web", "all-but-api"],
)
def test_distributor_credential_without_api_bit(factory: Factory, bits: dict[str, int]) -> None:
    credential = factory.credential(factory.distributor(), **bits)
    assert refused(factory, credential, API) is Denial.NO_API_BIT


def test_distributor_credential_with_api_bit_acts_for_its_distributor(factory: Factory) -> None:
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    principal = authenticate(factory, credential.username, credential.password, API)
    assert principal.role is Role.DISTRIBUTOR_CREDENTIAL
    assert principal.actor.account_id == factory.actor(distributor).account_id
    assert principal.actor.login_username == credential.username


@pytest.mark.parametrize("whose", ["distributor", "customer"])
def test_credential_cannot_manage_credentials(factory: Factory, whose: str) -> None:
    distributor = factory.distributor()
    owner = distributor if whose == "distributor" else factory.customer(distributor)
    credential = factory.credential(owner, email=1, web=1, api=1)
    assert refused(factory, credential, CREDS) is Denial.CREDENTIAL_NOT_PRIMARY


def test_customer_credential_cannot_call_distributor_api(factory: Factory) -> None:
    customer = factory.customer(factory.distributor())
    credential = factory.credential(customer, email=1, web=1, api=1)
    assert refused(factory, credential, API) is Denial.CUSTOMER_CREDENTIAL_NO_API


def test_disabled_distributor_and_its_credentials_may_do_nothing(factory: Factory) -> None:
    """docs/deployment.md: the distributor and its credentials are refused; its customers keep
    working."""
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    customer = factory.customer(distributor)
    login_id = operator.distributor_id(factory.ctx, distributor.username)
    with factory.ctx.uow.write() as repository:
        repository.change_login(login_id, datetime(2026, 1, 1), active=False)
    for purpose in (API, CREDS):
        assert refused(factory, distributor, purpose) is Denial.DISTRIBUTOR_DISABLED
    assert refused(factory, credential, API) is Denial.DISTRIBUTOR_DISABLED
    assert authenticate(factory, customer.username, customer.password, CREDS).role is Role.CUSTOMER
