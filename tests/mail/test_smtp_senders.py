"""Sender domains through the real server (docs/smtp.md, "Sender domains"): a bound
customer's MAIL FROM outside its list is refused with 550 5.7.1, a From: header outside
it is refused at the end of DATA with the same reply and nothing relayed (its credits
come back), an allowed message is relayed; the customer's credentials are bound by the
same list; distributors are not bound."""

from __future__ import annotations

import logging
import smtplib

import pytest

from gridreseller.api.legacy.manage import MANAGE
from tests.factories import Account, Distributor, Factory
from tests.mail.support import Sink, SmtpThread, signed_in
from tests.mail.test_smtp_credits import remaining, set_limit
from tests.support import eventually

REFUSED = "550 5.7.1 Sender address not allowed for this account"
ALLOWED = ["example.com", "*.mail.test"]


def message(sender: str) -> bytes:
    return f"From: Jo <{sender}>\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nHello.\r\n".encode()


def bind(factory: Factory, distributor: Distributor, customer: Account, domains: list[str]) -> None:
    factory.run(
        MANAGE,
        distributor,
        method="profile",
        task="setSenderDomains",
        user=customer.username,
        sender_domains=domains,
    )


def mail(client: smtplib.SMTP, sender: str) -> str:
    code, text = client.mail(sender)
    return f"{code} {text.decode()}"


def data(client: smtplib.SMTP, content: bytes) -> str:
    code, text = client.data(content)
    return f"{code} {text.decode()}"


@pytest.fixture
def bound(factory: Factory) -> tuple[Distributor, Account]:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    bind(factory, distributor, customer, ALLOWED)
    return distributor, customer


def test_mail_from_outside_the_list_is_refused_and_the_session_goes_on(
    bound: tuple[Distributor, Account],
    smtp: SmtpThread,
    delivered: Sink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _distributor, customer = bound
    with (
        caplog.at_level(logging.INFO, logger="gridreseller"),
        signed_in(smtp.port, customer) as client,
    ):
        assert mail(client, "jo@other.example") == REFUSED
        assert mail(client, "jo@sub.example.com") == REFUSED  # an exact entry: not below it
        assert mail(client, "jo@EXAMPLE.com").startswith("250 ")
        assert client.rcpt("b@example.net")[0] == 250
        assert data(client, message("jo@example.com")).startswith("250 ")
    (relayed,) = delivered.messages
    assert relayed.mail_from == "jo@EXAMPLE.com"
    assert any(
        "refused at MAIL FROM" in r.getMessage() and REFUSED in r.getMessage()
        for r in caplog.records
    )


def test_a_from_header_outside_the_list_is_refused_at_data_and_its_credits_come_back(
    factory: Factory, bound: tuple[Distributor, Account], smtp: SmtpThread, delivered: Sink
) -> None:
    distributor, customer = bound
    set_limit(factory, distributor, customer, task="total", credits="5")
    with signed_in(smtp.port, customer) as client:
        assert mail(client, "jo@a.mail.test").startswith("250 ")
        assert client.rcpt("b@example.net")[0] == 250
        assert client.rcpt("c@example.net")[0] == 250
        assert data(client, message("jo@other.example")) == REFUSED
        # Given back as the transaction ends, in the background of the reply.
        assert eventually(lambda: remaining(factory, distributor, customer) == 5)
        # The same session sends an allowed message next.
        assert mail(client, "jo@a.mail.test").startswith("250 ")
        assert client.rcpt("b@example.net")[0] == 250
        assert data(client, message("jo@b.mail.test")).startswith("250 ")
    (relayed,) = delivered.messages
    assert b"From: Jo <jo@b.mail.test>" in relayed.content
    assert remaining(factory, distributor, customer) == 4


def test_a_null_sender_is_judged_by_its_from_header(
    bound: tuple[Distributor, Account], smtp: SmtpThread, delivered: Sink
) -> None:
    _distributor, customer = bound
    with signed_in(smtp.port, customer) as client:
        assert mail(client, "").startswith("250 ")
        assert client.rcpt("b@example.net")[0] == 250
        assert data(client, message("jo@other.example")) == REFUSED
    assert delivered.messages == []


def test_a_customers_credential_is_bound_by_the_same_list(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = factory.credential(customer, email=1)
    with signed_in(smtp.port, credential) as client:
        assert mail(client, "jo@other.example").startswith("250 ")  # no list yet: any
        client.rset()
        bind(factory, distributor, customer, ["example.com"])
        # The list is read at each MAIL FROM: the open session is bound from now on.
        assert mail(client, "jo@other.example") == REFUSED
        assert mail(client, "jo@example.com").startswith("250 ")
        assert client.rcpt("b@example.net")[0] == 250
        assert data(client, message("jo@example.com")).startswith("250 ")
    assert len(delivered.messages) == 1


def test_emptying_the_list_allows_any_sender_again_and_distributors_are_not_bound(
    factory: Factory, bound: tuple[Distributor, Account], smtp: SmtpThread, delivered: Sink
) -> None:
    distributor, customer = bound
    bind(factory, distributor, customer, [""])
    for account in (customer, distributor):
        with signed_in(smtp.port, account) as client:
            assert mail(client, "jo@other.example").startswith("250 ")
            assert client.rcpt("b@example.net")[0] == 250
            assert data(client, message("jo@other.example")).startswith("250 ")
    assert len(delivered.messages) == 2
