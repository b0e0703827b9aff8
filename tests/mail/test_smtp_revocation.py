"""The right to send is checked again at every MAIL FROM (docs/smtp.md): a change made while a
session is open refuses its next message with 5xx 5.7.x, and nothing is relayed."""

from __future__ import annotations

import smtplib
from collections.abc import Callable

import pytest

from gridreseller.services import operator
from gridreseller.services.context import ServiceContext
from tests.factories import Account, Factory
from tests.mail.support import (
    MESSAGE,
    Sink,
    SmtpThread,
    delete_customer,
    edit_credential,
    manage_customer,
    set_distributor_active,
    signed_in,
)
from tests.support import container_for

Change = Callable[[Factory, ServiceContext], tuple[Account, Callable[[], None]]]


def customer_disabled(factory: Factory, ctx: ServiceContext) -> tuple[Account, Callable[[], None]]:
    owner = factory.distributor()
    account = factory.customer(owner)
    return account, lambda: manage_customer(ctx, owner, method="disable", user=account.username)


def password_reset(factory: Factory, ctx: ServiceContext) -> tuple[Account, Callable[[], None]]:
    owner = factory.distributor()
    account = factory.customer(owner)
    new = {"password": "brand-new-pass", "confirm_password": "brand-new-pass"}
    return account, lambda: manage_customer(
        ctx, owner, method="password", user=account.username, **new
    )


def email_bit_removed(factory: Factory, ctx: ServiceContext) -> tuple[Account, Callable[[], None]]:
    owner = factory.customer(factory.distributor())
    credential = factory.credential(owner, email=1)
    return credential, lambda: edit_credential(ctx, owner, credential.username, email="0")


def distributor_disabled(
    factory: Factory, ctx: ServiceContext
) -> tuple[Account, Callable[[], None]]:
    owner = factory.distributor()
    credential = factory.credential(owner, email=1)
    return credential, lambda: set_distributor_active(ctx, owner, False)


def customer_deleted(factory: Factory, ctx: ServiceContext) -> tuple[Account, Callable[[], None]]:
    owner = factory.distributor()
    account = factory.customer(owner)
    return account, lambda: delete_customer(ctx, owner, account)


REFUSALS: dict[Change, str] = {
    customer_disabled: "550 5.7.1 The account is disabled and may not send mail",
    password_reset: "530 5.7.0 Authentication required: the login has changed",
    email_bit_removed: "550 5.7.1 The credential lacks the email permission",
    distributor_disabled: "550 5.7.1 The login's distributor account is disabled",
    customer_deleted: "530 5.7.0 Authentication required: the login has changed",
}


@pytest.mark.parametrize("change", list(REFUSALS))
def test_a_change_refuses_the_next_message_of_an_open_session(
    factory: Factory, ctx: ServiceContext, smtp: SmtpThread, delivered: Sink, change: Change
) -> None:
    account, apply = change(factory, ctx)
    with signed_in(smtp.port, account) as client:
        assert client.sendmail("s@example.com", ["before@example.com"], MESSAGE) == {}
        apply()
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("s@example.com", ["after@example.com"], MESSAGE)
        assert f"{refused.value.smtp_code} {refused.value.smtp_error.decode()}" == REFUSALS[change]
        assert client.rcpt("after@example.com")[0] in {503, 530}
    assert [m.rcpt_tos for m in delivered.messages] == [["before@example.com"]]


def test_after_a_password_reset_the_session_may_sign_in_again(
    factory: Factory, ctx: ServiceContext, smtp: SmtpThread, delivered: Sink
) -> None:
    account, apply = password_reset(factory, ctx)
    with signed_in(smtp.port, account) as client:
        apply()
        assert client.docmd("MAIL", "FROM:<s@example.com>")[0] == 530
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login(account.username, account.password)
        client.login(account.username, "brand-new-pass")
        assert client.sendmail("s@example.com", ["r@example.com"], MESSAGE) == {}
    assert len(delivered.messages) == 1


def test_a_customer_enabled_again_sends_again_in_the_same_session(
    factory: Factory, ctx: ServiceContext, smtp: SmtpThread, delivered: Sink
) -> None:
    owner = factory.distributor()
    account = factory.customer(owner)
    with signed_in(smtp.port, account) as client:
        manage_customer(ctx, owner, method="disable", user=account.username)
        assert client.docmd("MAIL", "FROM:<s@example.com>")[0] == 550
        manage_customer(ctx, owner, method="enable", user=account.username)
        assert client.sendmail("s@example.com", ["r@example.com"], MESSAGE) == {}
    assert len(delivered.messages) == 1


def test_a_hash_upgraded_at_auth_is_not_taken_for_a_password_change(
    fresh_database_url: str, sink: Sink, delivered: Sink
) -> None:
    """AUTH re-hashes a password stored with older argon2 costs; the session's first
    MAIL FROM must see the login as unchanged."""
    older = container_for(fresh_database_url, argon2_time_cost=2)
    operator.create_distributor(older.services, "rehashed", "rehashed-pass", "r@example.com")
    older.close()
    current = container_for(fresh_database_url)  # argon2_time_cost=1: the hash is upgraded
    server = SmtpThread(current, sink.port)
    server.start()
    try:
        with signed_in(server.port, Account("rehashed", "rehashed-pass")) as client:
            assert client.sendmail("s@example.com", ["r@example.com"], MESSAGE) == {}
    finally:
        server.stop()
        current.close()
    assert len(delivered.messages) == 1
