"""The one outbound path under the SMTP server (docs/smtp.md, "One outbound path"):
what the upstream accepted is paid for and logged whatever the client does, credits
go back only to the limit they were taken from, and neither idle nor finished
sessions hold upstream connections or credits."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from gridreseller.bootstrap import Container
from gridreseller.sending.upstream_pool import IDLE_SECONDS
from tests.factories import Factory
from tests.mail.support import MESSAGE, Sink, SmtpThread, signed_in
from tests.mail.test_smtp_credits import NO_CREDITS, rcpt, remaining, set_limit
from tests.mail.upstreams import Upstream
from tests.support import eventually


@pytest.fixture
def slow_upstream() -> Iterator[Upstream]:
    """Stores each message at the dot and answers 250 two seconds later."""
    upstream = Upstream(delay=2.0).start()
    yield upstream
    upstream.stop()


@pytest.fixture
def capped_upstream() -> Iterator[Upstream]:
    """Serves at most 3 connections at once; a fourth is refused with 421."""
    upstream = Upstream(cap=3).start()
    yield upstream
    upstream.stop()


def smtp_to(container: Container, upstream: Upstream) -> SmtpThread:
    server = SmtpThread(container, upstream.port)
    server.start()
    return server


def test_a_client_that_hangs_up_after_the_dot_still_pays_and_is_logged(
    factory: Factory,
    container: Container,
    slow_upstream: Upstream,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="gridreseller.mail")
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="2")
    server = smtp_to(container, slow_upstream)
    try:
        client = signed_in(server.port, customer)
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "a@example.com").startswith("250 ")
        assert rcpt(client, "b@example.com").startswith("250 ")
        assert client.docmd("DATA")[0] == 354
        client.send(MESSAGE + b".\r\n")
        time.sleep(0.5)  # the upstream has the message and has not answered yet
        client.close()  # gone, without QUIT or a TLS close_notify
        assert eventually(lambda: len(slow_upstream.messages) == 1)
        relayed = f'relayed login="{customer.username}"'

        def logged() -> bool:
            return any(relayed in record.getMessage() for record in caplog.records)

        assert eventually(logged, 10), "no log line for the relayed message"
        assert remaining(factory, distributor, customer) == 0
    finally:
        server.stop()
    assert slow_upstream.messages[0].rcpt_tos == ["a@example.com", "b@example.com"]


def test_credits_held_when_the_limit_is_set_anew_are_not_given_back_on_top(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="3")
    with signed_in(smtp.port, customer) as client:
        assert client.mail("from@example.com")[0] == 250
        for n in range(3):
            assert rcpt(client, f"r{n}@example.com").startswith("250 ")
        set_limit(factory, distributor, customer, task="total", credits="0")
        client.rset()
        time.sleep(1.0)  # a give-back, were there one, is written within milliseconds
        assert remaining(factory, distributor, customer) == 0
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "more@example.com").startswith(NO_CREDITS)
    assert delivered.messages == []


def test_idle_sessions_of_one_customer_do_not_lock_out_another(
    factory: Factory, container: Container, capped_upstream: Upstream
) -> None:
    busy = factory.customer(factory.distributor())
    other = factory.customer(factory.distributor())
    server = smtp_to(container, capped_upstream)
    try:
        with ExitStack() as sessions:
            for n in range(capped_upstream.connections.cap):
                client = sessions.enter_context(signed_in(server.port, busy))
                assert client.sendmail("busy@example.com", [f"r{n}@example.com"], MESSAGE) == {}
            # Three sessions stay open, idle; between messages none holds a connection.
            assert capped_upstream.connections.open <= 1
            started = time.monotonic()
            with signed_in(server.port, other) as client:
                assert client.sendmail("other@example.com", ["o@example.com"], MESSAGE) == {}
            assert time.monotonic() - started < 5
    finally:
        server.stop()
    assert capped_upstream.connections.refused == 0
    assert len(capped_upstream.messages) == 4


def test_after_quit_the_credits_come_back_at_once_and_no_connection_is_kept(
    factory: Factory, container: Container
) -> None:
    upstream = Upstream().start()
    server = smtp_to(container, upstream)
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="2")
    try:
        client = signed_in(server.port, customer)
        assert client.sendmail("from@example.com", ["a@example.com"], MESSAGE) == {}
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "b@example.com").startswith("250 ")
        assert remaining(factory, distributor, customer) == 0
        assert client.docmd("QUIT")[0] == 221  # and the client keeps its socket open
        assert eventually(lambda: remaining(factory, distributor, customer) == 1, 0.5)
        assert eventually(lambda: upstream.connections.open == 0, IDLE_SECONDS + 2)
        client.close()
    finally:
        server.stop()
        upstream.stop()


def test_a_session_that_ends_without_quit_gives_its_credits_back(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="1")
    client = signed_in(smtp.port, customer)
    assert client.mail("from@example.com")[0] == 250
    assert rcpt(client, "a@example.com").startswith("250 ")
    client.close()  # gone, without QUIT or a TLS close_notify
    assert eventually(lambda: remaining(factory, distributor, customer) == 1, 0.5)
