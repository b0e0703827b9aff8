"""Authentication with an API key (issue 20): a key acts as its account with its
scopes, judged on the account's state at every request; every bad key is the same
refusal, audited by its id, never its secret."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridreseller.api.legacy import customers
from gridreseller.api.legacy.manage import MANAGE
from gridreseller.db.tables import AuditEvent
from gridreseller.domain.access import Denial
from gridreseller.domain.api_keys import MAIL_SEND, SCOPES
from gridreseller.domain.errors import Forbidden, Unauthorized
from gridreseller.services import api_keys, operator
from gridreseller.services.api_keys import DeleteKey
from tests.factories import Account, Factory, run_coroutine
from tests.unit.services.key_support import as_key, authenticate, create, login, refused


@pytest.fixture(params=["distributor", "customer"])
def owner(request: pytest.FixtureRequest, factory: Factory) -> Account:
    """A primary account, which may hold keys: a distributor or a customer."""
    distributor = factory.distributor()
    return distributor if request.param == "distributor" else factory.customer(distributor)


def test_a_key_acts_as_its_account_with_its_scopes(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    key = create(factory, caller, "k", [MAIL_SEND]).key
    found = authenticate(factory, key)
    assert found.principal.actor == caller.actor._replace(surface=found.principal.actor.surface)
    assert found.scopes == {MAIL_SEND} and found.key_id == key.split(".")[1]


def bad_keys(factory: Factory) -> dict[str, str]:
    caller = login(factory, factory.distributor())
    key = create(factory, caller).key
    prefix, key_id, secret = key.split(".")
    deleted = create(factory, caller, "gone").key
    gone = DeleteKey(deleted.split(".")[1])
    run_coroutine(api_keys.delete_key(factory.ctx, caller, gone))
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    return {
        "wrong secret": f"{prefix}.{key_id}.{wrong}",
        "unknown id": f"{prefix}.{'A' * 16}.{secret}",
        "deleted key": deleted,
        "empty": "",
        "no prefix": f"{key_id}.{secret}",
        "short secret": f"{prefix}.{key_id}.{secret[:-1]}",
        "lower-case prefix": f"sg.{key_id}.{secret}",
        "trailing space": key + " ",
        "password-like": "secret-pass",
    }


def test_every_bad_key_is_unauthorized(factory: Factory) -> None:
    for label, key in bad_keys(factory).items():
        assert refused(factory, key) is Unauthorized, label


def test_a_deleted_customers_keys_are_unknown(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    key = create(factory, login(factory, customer)).key
    factory.run(customers.DELETE, distributor, user=customer.username)
    assert refused(factory, key) is Unauthorized


def test_a_disabled_accounts_keys_are_refused_until_it_is_enabled(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    customer_key = create(factory, login(factory, customer)).key
    distributor_key = create(factory, login(factory, distributor)).key
    factory.run(MANAGE, distributor, method="disable", user=customer.username)
    with pytest.raises(Forbidden) as raised:
        authenticate(factory, customer_key)
    assert raised.value.denial is Denial.SENDING_DISABLED
    create(factory, login(factory, customer))  # its own login still manages its keys
    operator.set_distributor_enabled(factory.ctx, distributor.username, False)
    with pytest.raises(Forbidden) as raised:
        authenticate(factory, distributor_key)
    assert raised.value.denial is Denial.DISTRIBUTOR_DISABLED
    operator.set_distributor_enabled(factory.ctx, distributor.username, True)
    factory.run(MANAGE, distributor, method="enable", user=customer.username)
    assert authenticate(factory, customer_key).scopes == set(SCOPES)
    assert authenticate(factory, distributor_key).scopes == set(SCOPES)


def test_a_deleted_key_stops_at_its_next_request(factory: Factory, owner: Account) -> None:
    caller = login(factory, owner)
    key = create(factory, caller).key
    by_key = as_key(factory, key)
    run_coroutine(api_keys.delete_key(factory.ctx, by_key, DeleteKey(by_key.key_id or "")))
    assert refused(factory, key) is Unauthorized


def test_a_failed_key_is_audited_by_its_id_never_its_secret(factory: Factory) -> None:
    distributor = factory.distributor()
    key = create(factory, login(factory, distributor)).key
    prefix, key_id, secret = key.split(".")
    wrong = secret[::-1]
    for presented in (f"{prefix}.{key_id}.{wrong}", f"{prefix}.{'B' * 16}.{secret}", "junk"):
        assert refused(factory, presented) is Unauthorized
    with factory.ctx.uow.read() as repository:
        query = select(AuditEvent).where(AuditEvent.action == "login.failed")
        failed = repository.session.execute(query.order_by(AuditEvent.id)).scalars().all()
        every = repository.session.execute(select(AuditEvent)).scalars().all()
    assert [event.target for event in failed[-3:]] == [
        f"API key {key_id}",
        f"API key {'B' * 16}",
        "API key (malformed)",
    ]
    texts = [f"{e.actor}{e.target}{e.details}" for e in every]
    assert not [text for text in texts if secret in text or wrong in text]
