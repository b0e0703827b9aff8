"""Fixtures of the mail.send tests: an aiosmtpd sink as the upstream MTA, and real
servers relaying to it (or to nothing) on the shared test database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gridreseller.bootstrap import Container
from tests.factories import Factory
from tests.mail.support import Sink
from tests.support import Clock, ThreadServer, container_for, free_port


class MailServer:
    """A real server whose container relays as `overrides` say, with its own client and
    factory (the factory's services are that container's)."""

    def __init__(self, database_url: str, clock: Clock, **overrides: Any) -> None:
        self.container: Container = container_for(database_url, clock, **overrides)
        self.server = ThreadServer(self.container)
        self.server.start()
        self.client = httpx.Client(base_url=self.server.url, timeout=60)
        self.factory = Factory(self.container.services, self.client)

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.client.close()
        self.server.stop()


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
