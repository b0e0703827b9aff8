"""AUTH on the embedded server (docs/smtp.md): who may send, every reply, the audit trail."""

from __future__ import annotations

import smtplib
from base64 import b64encode
from collections.abc import Callable

import pytest

from gridreseller.services.context import ServiceContext
from tests.factories import Account, Factory, unique
from tests.mail.support import (
    MESSAGE,
    Sink,
    SmtpThread,
    auth_plain,
    connect,
    delete_customer,
    manage_customer,
    set_distributor_active,
)
from tests.support import eventually

BAD = "535 5.7.8 Bad username / password"
MECHANISMS = ("PLAIN", "LOGIN")
Kind = Callable[[Factory, ServiceContext], Account]


def auth(client: smtplib.SMTP, account: Account, mechanism: str) -> tuple[int, str]:
    """One AUTH exchange with the given mechanism, as sent on the wire; the reply."""
    if mechanism == "PLAIN":
        code, text = auth_plain(client, account.username, account.password)
        return code, text.decode()
    code, text = client.docmd("AUTH", "LOGIN " + b64encode(account.username.encode()).decode())
    assert code == 334, text
    code, text = client.docmd(b64encode(account.password.encode()).decode())
    return code, text.decode()


def assert_sends(smtp: SmtpThread, sink: Sink, account: Account, mechanism: str) -> None:
    with connect(smtp.port) as client:
        assert auth(client, account, mechanism) == (235, "2.7.0 Authentication successful")
        recipient = f"{unique('to')}@example.com"
        assert client.sendmail("a@example.com", [recipient], MESSAGE) == {}
    (message,) = [m for m in sink.messages if m.rcpt_tos == [recipient]]
    assert message.mail_from == "a@example.com"


def refused_with(smtp: SmtpThread, account: Account, mechanism: str = "PLAIN") -> str:
    with connect(smtp.port) as client:
        code, text = auth(client, account, mechanism)
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("a@example.com", ["b@example.com"], MESSAGE)
        assert refused.value.smtp_code == 530  # still not authenticated
    return f"{code} {text}"


# docs/smtp.md's table: every login kind that may send ---------------------------------------


def distributor(factory: Factory, ctx: ServiceContext) -> Account:
    return factory.distributor()


def customer(factory: Factory, ctx: ServiceContext) -> Account:
    return factory.customer(factory.distributor())


def distributor_credential(factory: Factory, ctx: ServiceContext) -> Account:
    return factory.credential(factory.distributor(), email=1)


def customer_credential(factory: Factory, ctx: ServiceContext) -> Account:
    return factory.credential(factory.customer(factory.distributor()), email=1)


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize(
    "kind", [distributor, customer, distributor_credential, customer_credential]
)
def test_every_kind_of_login_that_may_send_sends(
    factory: Factory,
    ctx: ServiceContext,
    smtp: SmtpThread,
    delivered: Sink,
    kind: Kind,
    mechanism: str,
) -> None:
    assert_sends(smtp, delivered, kind(factory, ctx), mechanism)


def test_smtplib_login_over_starttls(factory: Factory, smtp: SmtpThread, delivered: Sink) -> None:
    account = factory.customer(factory.distributor())
    with connect(smtp.port) as client:
        assert client.login(account.username, account.password)[0] == 235
        assert client.sendmail("a@example.com", ["b@example.com"], MESSAGE) == {}
    assert len(delivered.messages) == 1


def test_non_ascii_password_through_raw_auth_plain(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    password = "pässwörd-日本-🔑"
    account = factory.customer(factory.distributor(), password=password)
    with connect(smtp.port) as client:
        assert auth_plain(client, account.username, password)[0] == 235
        assert client.sendmail("a@example.com", ["b@example.com"], MESSAGE) == {}
    assert len(delivered.messages) == 1


# ... and every one that may not ------------------------------------------------------


def disabled_distributor(factory: Factory, ctx: ServiceContext) -> Account:
    account = factory.distributor()
    set_distributor_active(ctx, account, False)
    return account


def disabled_distributors_credential(factory: Factory, ctx: ServiceContext) -> Account:
    owner = factory.distributor()
    credential = factory.credential(owner, email=1)
    set_distributor_active(ctx, owner, False)
    return credential


def disabled_customer(factory: Factory, ctx: ServiceContext) -> Account:
    owner = factory.distributor()
    account = factory.customer(owner)
    manage_customer(ctx, owner, method="disable", user=account.username)
    return account


def disabled_customers_credential(factory: Factory, ctx: ServiceContext) -> Account:
    owner = factory.distributor()
    account = factory.customer(owner)
    credential = factory.credential(account, email=1)
    manage_customer(ctx, owner, method="disable", user=account.username)
    return credential


def distributor_credential_without_email(factory: Factory, ctx: ServiceContext) -> Account:
    return factory.credential(factory.distributor(), email=0, web=1, api=1)


def customer_credential_without_email(factory: Factory, ctx: ServiceContext) -> Account:
    return factory.credential(factory.customer(factory.distributor()), email=0, web=1)


MAY_NOT: dict[Kind, str] = {
    disabled_distributor: "535 5.7.1 The login's distributor account is disabled",
    disabled_distributors_credential: "535 5.7.1 The login's distributor account is disabled",
    disabled_customer: "535 5.7.1 The account is disabled and may not send mail",
    disabled_customers_credential: "535 5.7.1 The account is disabled and may not send mail",
    distributor_credential_without_email: "535 5.7.1 The credential lacks the email permission",
    customer_credential_without_email: "535 5.7.1 The credential lacks the email permission",
}


@pytest.mark.parametrize("kind", list(MAY_NOT))
def test_every_kind_of_login_that_may_not_send_is_refused_with_5_7_1(
    factory: Factory, ctx: ServiceContext, smtp: SmtpThread, delivered: Sink, kind: Kind
) -> None:
    assert refused_with(smtp, kind(factory, ctx)) == MAY_NOT[kind]
    assert delivered.messages == []


def test_may_not_is_the_same_through_auth_login(
    factory: Factory, ctx: ServiceContext, smtp: SmtpThread
) -> None:
    account = disabled_customer(factory, ctx)
    assert refused_with(smtp, account, "LOGIN") == MAY_NOT[disabled_customer]


def bad_logins(factory: Factory, ctx: ServiceContext) -> dict[str, Account]:
    owner = factory.distributor()
    gone = factory.customer(owner)
    gone_credential = factory.credential(gone, email=1)
    delete_customer(ctx, owner, gone)
    live = factory.customer(owner)
    return {
        "unknown": Account(unique("nobody") + "@example.com", "secret-pass"),
        "wrong password": Account(live.username, "wrong-pass"),
        "wrong password of a distributor": Account(owner.username, "wrong-pass"),
        "deleted customer, right password": gone,
        "deleted customer's credential, right password": gone_credential,
        "empty password": Account(live.username, ""),
        "a name longer than any login": Account("x" * 320 + "@example.com", "secret-pass"),
    }


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_bad_credentials_are_one_identical_reply(
    factory: Factory, ctx: ServiceContext, smtp: SmtpThread, mechanism: str
) -> None:
    logins = bad_logins(factory, ctx)
    answers = {case: refused_with(smtp, account, mechanism) for case, account in logins.items()}
    assert set(answers.values()) == {BAD}, answers


# Order of the session (docs/smtp.md) ------------------------------------------------------------


def test_auth_is_neither_offered_nor_accepted_before_starttls(
    factory: Factory, smtp: SmtpThread
) -> None:
    account = factory.distributor()
    with connect(smtp.port, tls=False) as client:
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")
        assert auth_plain(client, account.username, account.password) == (
            530,
            b"5.7.0 Must issue a STARTTLS command first",
        )
        assert client.docmd("AUTH", "LOGIN")[0] == 530


def test_mail_before_auth_is_530(smtp: SmtpThread, delivered: Sink) -> None:
    for tls in (False, True):
        with connect(smtp.port, tls=tls) as client:
            assert client.docmd("MAIL", "FROM:<a@example.com>") == (
                530,
                b"5.7.0 Authentication required",
            )
            assert client.docmd("RCPT", "TO:<b@example.com>")[0] == 530
            assert client.docmd("DATA")[0] == 530
    assert delivered.messages == []


def test_ehlo_after_starttls_offers_auth_size_and_enhanced_codes(smtp: SmtpThread) -> None:
    with connect(smtp.port) as client:
        assert sorted(client.esmtp_features["auth"].split()) == ["LOGIN", "PLAIN"]
        assert client.esmtp_features["size"] == str(10 * 1024 * 1024)
        assert client.has_extn("enhancedstatuscodes")
        assert not client.has_extn("starttls")


def test_malformed_auth_plain_is_501_and_costs_no_login(factory: Factory, smtp: SmtpThread) -> None:
    with connect(smtp.port) as client:
        assert client.docmd("AUTH", "PLAIN not-base64!")[0] == 501
        assert client.docmd("AUTH", "PLAIN " + b64encode(b"no-separators").decode())[0] == 501
        assert client.docmd("AUTH", "CRAM-MD5")[0] == 504


def test_a_second_auth_in_one_session_is_refused(factory: Factory, smtp: SmtpThread) -> None:
    account = factory.distributor()
    with connect(smtp.port) as client:
        assert auth_plain(client, account.username, account.password)[0] == 235
        assert auth_plain(client, account.username, account.password)[0] == 503


def test_auth_plain_for_another_authorization_identity_is_refused(
    factory: Factory, smtp: SmtpThread
) -> None:
    account = factory.distributor()
    other = factory.distributor()
    blob = f"{other.username}\x00{account.username}\x00{account.password}".encode()
    with connect(smtp.port) as client:
        code, text = client.docmd("AUTH", "PLAIN " + b64encode(blob).decode())
        assert f"{code} {text.decode()}" == BAD


# The audit trail (surface smtp) ---------------------------------------------------------


def audit_actions(ctx: ServiceContext, username: str) -> list[tuple[str, str]]:
    with ctx.uow.read() as repository:
        events = repository.audit_events(None, None)
        return [
            (e.action, e.client) for e in events if e.target == username and e.surface == "smtp"
        ]


def test_auth_successes_failures_and_refusals_are_audited_with_surface_smtp(
    factory: Factory, ctx: ServiceContext, smtp: SmtpThread
) -> None:
    account = factory.customer(factory.distributor())
    with connect(smtp.port) as client:
        assert auth_plain(client, account.username, "wrong-pass")[0] == 535
        assert auth_plain(client, account.username, account.password)[0] == 235
    refused = disabled_customer(factory, ctx)
    refused_with(smtp, refused)
    expected = [("login.failed", "127.0.0.1"), ("login.succeeded", "127.0.0.1")]
    # Successes are written in a batch about once a second (identity/login_audit.py).
    assert eventually(lambda: audit_actions(ctx, account.username) == expected)
    assert audit_actions(ctx, refused.username) == [("login.refused", "127.0.0.1")]


def test_failed_auth_reply_never_echoes_the_password(factory: Factory, smtp: SmtpThread) -> None:
    account = factory.customer(factory.distributor())
    with connect(smtp.port) as client:
        code, text = auth_plain(client, account.username, "s3cr3t-guess")
    assert code == 535
    assert b"s3cr3t" not in text
