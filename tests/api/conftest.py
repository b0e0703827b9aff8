"""Fixtures of the mail.send tests: an aiosmtpd sink as the upstream MTA, and real
servers relaying to it (or to nothing) on the shared test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.mail_support import MailServer
from tests.factories import Account
from tests.mail.support import Sink
from tests.support import Clock, free_port


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[Sink]:
    running = Sink()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def sink(mail_sink: Sink) -> Sink:
    """The sink, emptied for this test."""
    mail_sink.messages.clear()
    return mail_sink


@pytest.fixture(scope="session")
def mail_server(database_url: str, clock: Clock, mail_sink: Sink) -> Iterator[MailServer]:
    """`serve` with GRIDRESELLER_RELAY pointing at the sink."""
    running = MailServer(database_url, clock, relay=f"127.0.0.1:{mail_sink.port}")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def small_mail_server(database_url: str, clock: Clock, mail_sink: Sink) -> Iterator[MailServer]:
    """The same, with a message size limit of 20,000 bytes (so bodies up to 40,000)."""
    running = MailServer(
        database_url, clock, relay=f"127.0.0.1:{mail_sink.port}", max_message_bytes=20_000
    )
    yield running
    running.stop()


@pytest.fixture(scope="session")
def down_mail_server(database_url: str, clock: Clock) -> Iterator[MailServer]:
    """Relaying to a port nothing listens on: the upstream is down."""
    running = MailServer(database_url, clock, relay=f"127.0.0.1:{free_port()}")
    yield running
    running.stop()


@pytest.fixture
def sender(mail_server: MailServer) -> Account:
    """A live customer (no limit: unlimited sending) of a fresh distributor."""
    return mail_server.factory.customer(mail_server.factory.distributor())
