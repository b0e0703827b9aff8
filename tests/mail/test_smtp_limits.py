"""The embedded server's limits (docs/smtp.md, "Limits") through real sockets: one
address's share of connections, the AUTH deadline, the STARTTLS handshake deadline,
over-long AUTH answers and the cap on DATA transfers held in memory.

Every client address of the whole 127/8 is this machine's loopback on Linux, so each
test speaks from addresses of its own (the server is shared by the module)."""

from __future__ import annotations

import logging
import smtplib
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing
from typing import BinaryIO

import pytest

from tests.factories import Account, Factory, unique
from tests.mail.support import MESSAGE, Sink, SmtpThread, client_tls
from tests.support import container_for, eventually

PER_ADDRESS = 4
AUTH_SECONDS = 3
HANDSHAKE_SECONDS = 1
TRANSFERS, TRANSFERS_PER_ADDRESS = 4, 2


@pytest.fixture(scope="module")
def limited(database_url: str, sink: Sink) -> Iterator[SmtpThread]:
    """A server of its own with small limits, on the shared database."""
    container = container_for(
        database_url,
        smtp_max_connections_per_address=PER_ADDRESS,
        smtp_auth_timeout_seconds=AUTH_SECONDS,
        smtp_tls_handshake_seconds=HANDSHAKE_SECONDS,
        smtp_max_data_transfers=TRANSFERS,
        smtp_max_data_transfers_per_address=TRANSFERS_PER_ADDRESS,
    )
    running = SmtpThread(container, sink.port)
    running.start()
    yield running
    running.stop()
    container.close()


class Raw:
    """A plain socket from a given loopback address, read line by line."""

    def __init__(self, port: int, source: str, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=timeout, source_address=(source, 0)
        )
        self.lines: BinaryIO = self.sock.makefile("rb")

    def line(self) -> bytes:
        return self.lines.readline()

    def send(self, text: bytes) -> None:
        self.sock.sendall(text)

    def closed(self) -> bool:
        """Whether the server has closed it: EOF (or a reset) rather than more bytes."""
        try:
            return self.lines.read() == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.lines.close()
        self.sock.close()


def signed_in(port: int, account: Account, source: str) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=30, source_address=(source, 0))
    client.ehlo("client.example")
    client.starttls(context=client_tls())
    client.ehlo("client.example")
    client.login(account.username, account.password)
    return client


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_one_address_over_its_share_gets_421_while_another_still_sends(
    factory: Factory, limited: SmtpThread, delivered: Sink
) -> None:
    with ExitStack() as stack:
        idle = [
            stack.enter_context(closing(Raw(limited.port, "127.0.0.10")))
            for _ in range(PER_ADDRESS)
        ]
        assert all(client.line().startswith(b"220 ") for client in idle)
        extra = stack.enter_context(closing(Raw(limited.port, "127.0.0.10")))
        assert extra.line() == b"421 4.7.0 Too many connections from your address\r\n"
        assert extra.closed()
        # Another address is served in full while the first holds its share.
        account = factory.customer(factory.distributor())
        recipient = f"{unique('to')}@example.com"
        with signed_in(limited.port, account, "127.0.0.11") as other:
            assert other.sendmail("a@example.com", [recipient], MESSAGE) == {}
        assert [m.rcpt_tos for m in delivered.messages] == [[recipient]]
        # A closed connection gives its place back.
        idle[0].close()
        assert eventually(lambda: _greeted(limited.port, "127.0.0.10"))


def test_a_client_that_does_not_authenticate_in_time_is_dropped_with_421(
    factory: Factory, limited: SmtpThread
) -> None:
    account = factory.customer(factory.distributor())
    with signed_in(limited.port, account, "127.0.0.12") as authenticated:
        with closing(Raw(limited.port, "127.0.0.12")) as lingering:
            started = time.monotonic()
            assert lingering.line().startswith(b"220 ")
            lingering.send(b"EHLO client.example\r\n")
            while lingering.line().startswith(b"250-"):
                pass
            assert lingering.line() == b"421 4.7.0 No authentication in time; closing\r\n"
            assert lingering.closed()
            assert AUTH_SECONDS - 0.5 < time.monotonic() - started < AUTH_SECONDS + 5
        # The deadline is for signing in: an authenticated session stays.
        assert authenticated.noop()[0] == 250


def test_a_starttls_whose_handshake_never_comes_is_closed_in_time(
    limited: SmtpThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gridreseller")
    with closing(Raw(limited.port, "127.0.0.13")) as client:
        assert client.line().startswith(b"220 ")
        client.send(b"EHLO client.example\r\nSTARTTLS\r\n")
        while not client.line().startswith(b"220 "):
            pass
        started = time.monotonic()
        assert client.closed()
        # Well before the AUTH deadline: it is the handshake's own that closed it.
        assert time.monotonic() - started < AUTH_SECONDS - 0.5
    assert eventually(lambda: limited.server.front_door.connections.held("127.0.0.13") == 0)
    assert errors(caplog) == []


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_an_over_long_auth_answer_is_500_and_the_session_goes_on(
    factory: Factory, limited: SmtpThread, caplog: pytest.LogCaptureFixture, mechanism: str
) -> None:
    caplog.set_level(logging.INFO, logger="gridreseller")
    account = factory.customer(factory.distributor())
    client = smtplib.SMTP("127.0.0.1", limited.port, timeout=30, source_address=("127.0.0.14", 0))
    with client:
        client.ehlo("client.example")
        client.starttls(context=client_tls())
        client.ehlo("client.example")
        assert client.docmd("AUTH", mechanism)[0] == 334
        client.send(b"QUFB" * 25_000 + b"\r\n")  # 100 KB of base64 on one line
        assert client.getreply() == (500, b"5.5.2 Line too long")
        assert client.noop()[0] == 250  # nothing of that line was taken as a command
        client.login(account.username, account.password)
        assert client.sendmail("a@example.com", ["b@example.com"], MESSAGE) == {}
    assert errors(caplog) == []


def test_unfinished_data_transfers_are_capped_per_address_and_in_all(
    factory: Factory, limited: SmtpThread, delivered: Sink
) -> None:
    """Each paused DATA holds its message in memory: past the caps the next is 451."""
    account = factory.customer(factory.distributor())
    with ExitStack() as stack:

        def paused_data(source: str) -> tuple[smtplib.SMTP, tuple[int, bytes]]:
            client = signed_in(limited.port, account, source)
            stack.callback(client.close)  # no QUIT: a paused DATA would take it as data
            assert client.docmd("MAIL", "FROM:<a@example.com>")[0] == 250
            assert client.docmd("RCPT", f"TO:<{unique('to')}@example.com>")[0] == 250
            reply = client.docmd("DATA")
            if reply[0] == 354:
                client.send(b"Subject: paused\r\n\r\n" + (b"x" * 998 + b"\r\n") * 60)
            return client, reply

        first, _ = paused_data("127.0.0.20")
        assert paused_data("127.0.0.20")[1][0] == 354
        over_share = paused_data("127.0.0.20")[1]
        assert over_share == (451, b"4.3.2 Too many messages in transfer from your address")
        # Another address still has room, up to the total.
        assert [paused_data("127.0.0.21")[1][0] for _ in range(2)] == [354, 354]
        over_total = paused_data("127.0.0.22")[1]
        assert over_total == (451, b"4.3.2 Too many messages in transfer; try again later")
        # A transfer that ends gives its place back.
        first.send(b".\r\n")
        assert first.getreply()[0] == 250
        retry, reply = paused_data("127.0.0.22")
        assert reply[0] == 354
        retry.send(b".\r\n")
        assert retry.getreply()[0] == 250


def _greeted(port: int, source: str) -> bool:
    with closing(Raw(port, source)) as client:
        return client.line().startswith(b"220 ")
