"""Fixtures of the mail tests: one sink and one submission server per backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gridreseller.bootstrap import Container
from tests.mail.support import Sink, SmtpThread


@pytest.fixture(scope="session")
def sink() -> Iterator[Sink]:
    running = Sink()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def delivered(sink: Sink) -> Sink:
    """The sink, emptied for this test."""
    sink.messages.clear()
    return sink


@pytest.fixture(scope="session")
def smtp(container: Container, sink: Sink) -> Iterator[SmtpThread]:
    """The embedded server on the shared test database, relaying to the sink."""
    running = SmtpThread(container, sink.port)
    running.start()
    yield running
    running.stop()
