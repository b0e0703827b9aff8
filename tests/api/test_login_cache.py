"""One process, real HTTP: a repeated login is answered without argon2, and a cached
login stops working the moment its password, name, status or permission changes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import new_database
from tests.factories import Account, Distributor, Factory
from tests.support import CountingPasswords, ThreadServer, container_for, message

pytestmark = pytest.mark.slow  # a server of its own


@pytest.fixture(scope="module")
def counted(
    backend: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Factory, CountingPasswords]]:
    """A server of its own whose hasher counts verifications."""
    container = container_for(new_database(backend, request), counting=True)
    passwords = container.hashing.passwords
    assert isinstance(passwords, CountingPasswords)
    server = ThreadServer(container)
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield Factory(container.services, client), passwords
    server.stop()


def _calls(factory: Factory, fmt: str, login: Account, kind: str) -> int:
    """One call a login of this kind may make; its status."""
    endpoint = "credentials/get" if kind == "customer" else "distributor.packages"
    return factory.call(endpoint, fmt, login).status_code


def _warm(counted: tuple[Factory, CountingPasswords], fmt: str, login: Account, kind: str) -> None:
    """Log in twice: the second call is answered from the cache, without argon2."""
    factory, passwords = counted
    assert _calls(factory, fmt, login, kind) == 200
    before = passwords.verifications
    assert _calls(factory, fmt, login, kind) == 200
    assert passwords.verifications == before


def _manage(factory: Factory, fmt: str, distributor: Distributor, **params: str) -> None:
    response = factory.call("distributor.manage", fmt, distributor, **params)
    assert response.status_code == 200, response.text
    assert message(response) == "success"


def test_repeated_logins_skip_the_hasher(
    counted: tuple[Factory, CountingPasswords], fmt: str
) -> None:
    factory, passwords = counted
    distributor = factory.distributor()
    _warm(counted, fmt, distributor, "distributor")
    before = passwords.verifications
    for _ in range(5):
        assert _calls(factory, fmt, distributor, "distributor") == 200
    assert passwords.verifications == before


def test_failures_never_fill_the_cache(
    counted: tuple[Factory, CountingPasswords], fmt: str
) -> None:
    factory, passwords = counted
    distributor = factory.distributor()
    wrong = Account(distributor.username, "not-the-password")
    before = passwords.verifications
    for _ in range(3):
        assert _calls(factory, fmt, wrong, "distributor") == 401
    assert passwords.verifications == before + 3


def test_password_reset_ends_the_cached_login(
    counted: tuple[Factory, CountingPasswords], fmt: str
) -> None:
    factory, _ = counted
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    _warm(counted, fmt, customer, "customer")
    _manage(
        factory,
        fmt,
        distributor,
        method="password",
        user=customer.username,
        password="brand-new-pass",
        confirm_password="brand-new-pass",
    )
    assert _calls(factory, fmt, customer, "customer") == 401
    assert _calls(factory, fmt, Account(customer.username, "brand-new-pass"), "customer") == 200


def test_rename_ends_the_cached_login(counted: tuple[Factory, CountingPasswords], fmt: str) -> None:
    factory, _ = counted
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    _warm(counted, fmt, customer, "customer")
    renamed = "renamed-" + customer.username
    _manage(
        factory,
        fmt,
        distributor,
        method="profile",
        task="setUsername",
        user=customer.username,
        username=renamed,
    )
    assert _calls(factory, fmt, customer, "customer") == 401
    assert _calls(factory, fmt, Account(renamed, customer.password), "customer") == 200


def test_delete_ends_the_cached_login(counted: tuple[Factory, CountingPasswords], fmt: str) -> None:
    factory, _ = counted
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(customer, email=1)
    _warm(counted, fmt, customer, "customer")
    response = factory.call("distributor.delete", fmt, distributor, user=customer.username)
    assert response.status_code == 200, response.text
    assert _calls(factory, fmt, customer, "customer") == 401
    assert factory.call("credentials/get", fmt, credential).status_code == 401


def test_credential_changes_end_the_cached_login(
    counted: tuple[Factory, CountingPasswords], fmt: str
) -> None:
    factory, _ = counted
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    _warm(counted, fmt, credential, "distributor")

    def edit(**change: str) -> None:
        response = factory.call(
            "credentials/edit", fmt, distributor, username=credential.username, **change
        )
        assert response.status_code == 200, response.text

    passwords = counted[1]
    edit(api="0")
    assert _calls(factory, fmt, credential, "distributor") == 403
    edit(api="1")
    before = passwords.verifications  # the password did not change: still cached
    assert _calls(factory, fmt, credential, "distributor") == 200
    assert passwords.verifications == before
    edit(password="another-secret")
    assert _calls(factory, fmt, credential, "distributor") == 401
    renewed = Account(credential.username, "another-secret")
    _warm(counted, fmt, renewed, "distributor")
    response = factory.call("credentials/remove", fmt, distributor, username=credential.username)
    assert response.status_code == 200, response.text
    assert _calls(factory, fmt, renewed, "distributor") == 401
