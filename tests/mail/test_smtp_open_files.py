"""`gridreseller smtp` under an open-file limit it cannot raise (docs/smtp.md, "Limits"):
one address opening socket after socket hits its share with `421`, and a client from
another address still signs in and sends."""

from __future__ import annotations

import os
import resource
import signal
import smtplib
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

import pytest

from gridreseller.services import operator
from tests.mail.support import MESSAGE, Sink, client_tls
from tests.mail.test_smtp_command import LISTENING, command, environment, port_of
from tests.support import container_for, free_port

pytestmark = pytest.mark.slow
OPEN_FILES = 256  # soft = hard: the process cannot raise it
# What the server makes of it: (256 - 64 reserved) // 2 descriptors a session = 96
# connections in all, and one address at most half of that.
SHARE = 48
ATTEMPTS = 300  # more than the limit: without the caps the server runs out of descriptors


def _low_open_file_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


@contextmanager
def limited_process(
    database_url: str, relay_port: int, tmp_path: Path
) -> Iterator[tuple[int, Path]]:
    """The command with RLIMIT_NOFILE at 256 and an unreachable wish for 1,000 connections
    from one address; yields its port and its output file."""
    output = tmp_path / "smtp.log"
    arguments = ["--relay", f"127.0.0.1:{relay_port}", "--port", str(free_port())]
    wishes = {
        "GRIDRESELLER_SMTP_MAX_CONNECTIONS": "1000",
        "GRIDRESELLER_SMTP_MAX_CONNECTIONS_PER_ADDRESS": "1000",
        "GRIDRESELLER_SMTP_AUTH_TIMEOUT_SECONDS": "120",
    }
    with output.open("w") as log:
        process = subprocess.Popen(
            command(database_url, *arguments),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment(**wishes),
            start_new_session=True,
            preexec_fn=_low_open_file_limit,  # noqa: PLW1509 - no threads in the parent's way
        )
    try:
        deadline = time.monotonic() + 30
        while not LISTENING.search(output.read_text()):
            assert process.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.05)
        yield port_of(output.read_text()), output
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def greeting(port: int, stack: ExitStack) -> bytes:
    """A new idle connection from 127.0.0.1, kept open; the server's first line."""
    sock = stack.enter_context(closing(socket.create_connection(("127.0.0.1", port), timeout=5)))
    reader = stack.enter_context(closing(sock.makefile("rb")))
    try:
        return reader.readline()
    except TimeoutError:  # accepted by the kernel, never served
        return b"(no greeting)"


def test_another_address_still_sends_when_the_limit_cannot_be_raised(
    fresh_database_url: str, sink: Sink, delivered: Sink, tmp_path: Path
) -> None:
    container = container_for(fresh_database_url)
    operator.create_distributor(container.services, "sender", "sender-pass", "s@example.com")
    container.close()
    with (
        limited_process(fresh_database_url, sink.port, tmp_path) as (port, output),
        ExitStack() as held,
    ):
        replies = []
        for _ in range(ATTEMPTS):
            replies.append(greeting(port, held))
            if not replies[-1].startswith(b"220 "):
                break
        assert replies[-1] == b"421 4.7.0 Too many connections from your address\r\n"
        assert len(replies) == SHARE + 1
        assert f"open-file limit {OPEN_FILES}" in output.read_text()
        # 127.0.0.1 holds its whole share; 127.0.0.2 is served from start to end.
        client = smtplib.SMTP("127.0.0.1", port, timeout=30, source_address=("127.0.0.2", 0))
        with client:
            client.starttls(context=client_tls())
            client.login("sender", "sender-pass")
            assert client.sendmail("a@example.com", ["far@example.com"], MESSAGE) == {}
    assert [m.rcpt_tos for m in delivered.messages] == [["far@example.com"]]
    log = output.read_text()
    assert " ERROR " not in log and "Traceback" not in log, log
    assert log.count("SMTP connection refused for 127.0.0.1") == 1, log
