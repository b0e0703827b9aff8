"""Relaying (docs/smtp.md): 250 only once the upstream accepted, the message as it came plus
one Received header, 451 when the upstream cannot take it, its 5xx passed through."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator

import pytest

from gridreseller.bootstrap import Container
from tests.factories import Factory
from tests.mail.support import (
    DEFERRED,
    MESSAGE,
    REJECTED,
    Sink,
    SmtpThread,
    auth_plain,
    connect,
    signed_in,
)
from tests.support import free_port

# Dot-stuffed lines, 8-bit UTF-8, a long line, a header that looks like a trace header.
TRICKY = (
    b"Received: from earlier.example by mx.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    b"From: =?utf-8?q?J=C3=B6rg?= <j@example.com>\r\n"
    b"Subject: dots\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b".leading dot\r\n"
    b"..two dots\r\n"
    b"gr\xc3\xbc\xc3\x9fe \xe2\x9c\x89\r\n" + b"x" * 990 + b"\r\n"
    b"\r\n"
    b"  trailing spaces and a tab\t\r\n"
)


def transaction(client: smtplib.SMTP, recipients: list[str], message: bytes) -> str:
    """MAIL, RCPT, DATA by hand: the reply to the end of DATA, as the client read it."""
    assert client.mail("sender@example.com", ["BODY=8BITMIME"])[0] == 250
    for recipient in recipients:
        assert client.rcpt(recipient)[0] == 250
    code, text = client.data(message)
    return f"{code} {text.decode()}"


def test_the_sink_gets_the_original_bytes_after_one_received_header(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    account = factory.customer(factory.distributor())
    with signed_in(smtp.port, account) as client:
        assert transaction(client, ["to@example.com"], TRICKY).startswith("250 ")
    (message,) = delivered.messages
    header, _, rest = message.content.partition(b"\r\n\t(authenticated login ")
    assert header.startswith(b"Received: from client.example ([127.0.0.1])\r\n\tby mx.test ")
    login, _, rest = rest.partition(b");\r\n\t")
    assert login.decode() == account.username
    date, _, original = rest.partition(b"\r\n")
    assert date.endswith(b"+0000")
    assert original == TRICKY
    assert message.mail_from == "sender@example.com"
    assert message.rcpt_tos == ["to@example.com"]


def test_the_upstream_acceptance_is_what_the_client_hears(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    with signed_in(smtp.port, factory.distributor()) as client:
        answer = transaction(client, ["a@example.com", "b@example.com"], MESSAGE)
    assert answer == "250 2.0.0 Ok: queued as SINK1"
    assert delivered.messages[0].rcpt_tos == ["a@example.com", "b@example.com"]


def test_one_session_relays_many_messages(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    with signed_in(smtp.port, factory.distributor()) as client:
        for n in range(5):
            assert client.sendmail("s@example.com", [f"r{n}@example.com"], MESSAGE) == {}
    assert [m.rcpt_tos for m in delivered.messages] == [[f"r{n}@example.com"] for n in range(5)]


def test_an_upstream_5xx_is_passed_through_and_nothing_is_relayed(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    with signed_in(smtp.port, factory.distributor()) as client:
        answer = transaction(client, ["fine@example.com", REJECTED], MESSAGE)
        assert answer == "550 5.1.1 <nobody@reject.example>: Recipient address rejected"
        # The upstream transaction was reset: the next message goes through.
        assert transaction(client, ["fine@example.com"], MESSAGE).startswith("250 ")
    assert [m.rcpt_tos for m in delivered.messages] == [["fine@example.com"]]


def test_an_upstream_4xx_is_451_4_4_1(factory: Factory, smtp: SmtpThread, delivered: Sink) -> None:
    with signed_in(smtp.port, factory.distributor()) as client:
        answer = transaction(client, [DEFERRED], MESSAGE)
    assert answer == "451 4.4.1 Upstream not available; try again later"
    assert delivered.messages == []


@pytest.fixture
def smtp_without_upstream(container: Container) -> Iterator[SmtpThread]:
    running = SmtpThread(container, free_port())  # nothing listens there
    running.start()
    yield running
    running.stop()


def test_an_unreachable_upstream_is_451_and_nothing_is_acknowledged(
    factory: Factory, smtp_without_upstream: SmtpThread
) -> None:
    account = factory.customer(factory.distributor())
    with signed_in(smtp_without_upstream.port, account) as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("s@example.com", ["r@example.com"], MESSAGE)
        assert refused.value.smtp_code == 451
        assert refused.value.smtp_error == b"4.4.1 Upstream not available; try again later"
        # The session goes on: the client may retry (and is refused again, honestly).
        client.rset()
        assert transaction(client, ["r@example.com"], MESSAGE).startswith("451 4.4.1 ")


def test_an_upstream_that_dropped_the_kept_connection_is_reconnected(
    factory: Factory, container: Container
) -> None:
    first = Sink()
    first.start()
    server = SmtpThread(container, first.port)
    server.start()
    try:
        with signed_in(server.port, factory.distributor()) as client:
            assert client.sendmail("s@example.com", ["one@example.com"], MESSAGE) == {}
            first.stop()  # closes the upstream connection the session kept
            second = Sink(first.port)
            second.start()
            try:
                assert client.sendmail("s@example.com", ["two@example.com"], MESSAGE) == {}
            finally:
                second.stop()
    finally:
        server.stop()
    assert [m.rcpt_tos for m in first.messages] == [["one@example.com"]]
    assert [m.rcpt_tos for m in second.messages] == [["two@example.com"]]


@pytest.fixture
def small_smtp(container: Container, sink: Sink) -> Iterator[SmtpThread]:
    running = SmtpThread(container, sink.port, max_message_bytes=1000)
    running.start()
    yield running
    running.stop()


def test_size_is_advertised_and_enforced_with_552_5_3_4(
    factory: Factory, small_smtp: SmtpThread, delivered: Sink
) -> None:
    with signed_in(small_smtp.port, factory.distributor()) as client:
        assert client.esmtp_features["size"] == "1000"
        assert client.docmd("MAIL", "FROM:<s@example.com> SIZE=1001") == (
            552,
            b"5.3.4 Message too big",
        )
        assert transaction(client, ["r@example.com"], b"x" * 900 + b"\r\n" + b"y" * 200) == (
            "552 5.3.4 Message too big"
        )
        assert transaction(client, ["r@example.com"], MESSAGE).startswith("250 ")
    assert len(delivered.messages) == 1


def test_rset_and_a_new_ehlo_end_a_transaction_without_relaying(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    with signed_in(smtp.port, factory.distributor()) as client:
        client.mail("s@example.com")
        client.rcpt("r@example.com")
        client.rset()
        assert client.rcpt("r@example.com")[0] == 503  # no MAIL any more
        client.mail("s@example.com")
        client.ehlo("client.example")
        assert client.rcpt("r@example.com")[0] == 503
    assert delivered.messages == []


def test_one_log_line_per_message_names_who_sent_what(
    factory: Factory, smtp: SmtpThread, delivered: Sink, caplog: pytest.LogCaptureFixture
) -> None:
    account = factory.customer(factory.distributor())
    caplog.set_level(logging.INFO, logger="gridreseller.mail")
    with signed_in(smtp.port, account) as client:
        transaction(client, ["ok@example.com"], MESSAGE)
        transaction(client, [REJECTED], MESSAGE)
    lines = [r.getMessage() for r in caplog.records if r.name == "gridreseller.mail"]
    relayed, refused = lines
    size = len(MESSAGE)
    who = f'login="{account.username}" client="127.0.0.1" from="sender@example.com"'
    assert relayed.endswith(
        f'relayed {who} recipients=1 size={size} upstream=250 reply="250 2.0.0 Ok: queued as SINK1"'
    )
    assert refused.endswith(
        f"refused {who} recipients=1 size={size} upstream=550 "
        'reply="550 5.1.1 <nobody@reject.example>: Recipient address rejected"'
    )
    assert all(account.password not in line and "Hello." not in line for line in lines)


def test_the_received_header_quotes_what_a_comment_cannot_hold(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    distributor = factory.distributor()
    account = factory.customer(distributor, username="jörg(x)@example.com")
    with connect(smtp.port) as client:
        assert auth_plain(client, account.username, account.password)[0] == 235
        client.ehlo("bad helo;name")
        transaction(client, ["r@example.com"], MESSAGE)
    header = delivered.messages[0].content.split(b"\r\n\r\n")[0].decode("ascii")
    assert header.startswith("Received: from unknown ([127.0.0.1])")
    assert "=?utf-8?" in header
    assert "jörg" not in header


def test_an_address_with_a_control_character_is_refused_and_the_session_goes_on(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    with signed_in(smtp.port, factory.distributor()) as client:
        assert client.mail("s@example.com")[0] == 250
        assert client.docmd("RCPT", 'TO:<"a\tb"@example.com>')[0] == 250
        code, text = client.data(MESSAGE)
        assert (code, text) == (553, b"5.1.0 An address of the envelope cannot be relayed")
        assert transaction(client, ["r@example.com"], MESSAGE).startswith("250 ")
    assert len(delivered.messages) == 1
