"""`gridreseller smtp` as the operator runs it (docs/smtp.md): the certificate's fingerprint
printed, mail relayed, option errors, and a graceful shutdown on SIGTERM."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gridreseller.mail.tls import fingerprint, self_signed_pair
from gridreseller.services import operator
from tests.mail.support import MESSAGE, Sink, client_tls
from tests.support import TEST_SETTINGS, container_for, free_port

pytestmark = pytest.mark.slow
LISTENING = re.compile(r"gridreseller smtp listening on 127\.0\.0\.1:(\d+)")
FINGERPRINT = re.compile(r"SHA-256 fingerprint ([0-9A-F:]{95})")


def command(database_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "gridreseller", "smtp", *args, "--database-url", database_url]


def environment(**extra: str) -> dict[str, str]:
    cheap = {f"GRIDRESELLER_{k.upper()}": str(v) for k, v in TEST_SETTINGS.items()}
    return {**os.environ, **cheap, **extra}


@contextmanager
def smtp_process(
    database_url: str, relay_port: int, tmp_path: Path, *args: str
) -> Iterator[tuple[subprocess.Popen[str], Path, str]]:
    """The command running; yields it, its output file, and its output so far."""
    output = tmp_path / "smtp.log"
    port = free_port()
    with output.open("w") as log:
        process = subprocess.Popen(
            command(database_url, "--relay", f"127.0.0.1:{relay_port}", "--port", str(port), *args),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment(GRIDRESELLER_SMTP_SHUTDOWN_SECONDS="5"),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not LISTENING.search(output.read_text()):
            assert process.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.05)
        yield process, output, output.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def database(fresh_database_url: str) -> str:
    container = container_for(fresh_database_url)
    operator.create_distributor(container.services, "sender", "sender-pass", "s@example.com")
    container.close()
    return fresh_database_url


def port_of(text: str) -> int:
    found = LISTENING.search(text)
    assert found is not None, text
    return int(found.group(1))


def signed_in(port: int) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    client.starttls(context=client_tls())
    client.login("sender", "sender-pass")
    return client


def test_the_printed_fingerprint_is_the_served_certificate(
    database: str, sink: Sink, delivered: Sink, tmp_path: Path
) -> None:
    with smtp_process(database, sink.port, tmp_path) as (_process, _log, text):
        printed = FINGERPRINT.search(text)
        assert printed is not None and "self-signed" in text, text
        with signed_in(port_of(text)) as client:
            served = client.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
            assert client.sendmail("s@example.com", ["r@example.com"], MESSAGE) == {}
    digest = hashlib.sha256(served).hexdigest().upper()
    assert printed.group(1).replace(":", "") == digest
    assert len(delivered.messages) == 1


def test_the_operator_s_certificate_is_used_when_given(
    database: str, sink: Sink, tmp_path: Path
) -> None:
    cert, key = self_signed_pair("mail.example")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    files = ("--tls-cert", str(tmp_path / "cert.pem"), "--tls-key", str(tmp_path / "key.pem"))
    with smtp_process(database, sink.port, tmp_path, *files) as (_process, _log, text):
        assert f"TLS certificate for localhost, SHA-256 fingerprint {fingerprint(cert)}" in text
        with signed_in(port_of(text)) as client:
            served = client.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
    assert hashlib.sha256(served).hexdigest().upper() == fingerprint(cert).replace(":", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--relay", "no-port"], "error: --relay must be HOST:PORT (e.g. 127.0.0.1:25)"),
        (["--relay", "mx:99999"], "error: --relay must be HOST:PORT (e.g. 127.0.0.1:25)"),
        (
            ["--relay", "mx:25", "--tls-cert", "c.pem"],
            "error: --tls-cert and --tls-key go together",
        ),
        (
            ["--relay", "mx:25", "--tls-cert", "missing.pem", "--tls-key", "missing.key"],
            "error: cannot use missing.pem and missing.key: No such file or directory",
        ),
    ],
)
def test_option_errors_are_one_line_and_exit_1(
    fresh_database_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    done = subprocess.run(
        command(fresh_database_url, *args),
        check=False,
        capture_output=True,
        text=True,
        env=environment(),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == message
    assert "Traceback" not in done.stdout + done.stderr


def test_sigterm_lets_a_message_in_data_finish_and_says_421_to_idle_sessions(
    database: str, sink: Sink, delivered: Sink, tmp_path: Path
) -> None:
    with smtp_process(database, sink.port, tmp_path) as (process, output, text):
        port = port_of(text)
        idle, busy = signed_in(port), signed_in(port)
        busy.mail("s@example.com")
        busy.rcpt("in-flight@example.com")
        busy.putcmd("DATA")
        assert busy.getreply()[0] == 354
        busy.send(MESSAGE)
        process.send_signal(signal.SIGTERM)
        assert idle.getreply() == (421, b"4.3.2 Service shutting down")
        with pytest.raises(ConnectionRefusedError):  # no new connections
            smtplib.SMTP("127.0.0.1", port, timeout=5)
        busy.send(b".\r\n")
        assert busy.getreply() == (250, b"2.0.0 Ok: queued as SINK1")
        assert busy.getreply() == (421, b"4.3.2 Service shutting down")
        assert process.wait(15) == 0
    assert [m.rcpt_tos for m in delivered.messages] == [["in-flight@example.com"]]
    assert "Traceback" not in output.read_text()


def test_sigterm_bounds_the_wait_for_a_stalled_session(
    database: str, sink: Sink, delivered: Sink, tmp_path: Path
) -> None:
    with smtp_process(database, sink.port, tmp_path) as (process, _output, text):
        stalled = signed_in(port_of(text))
        stalled.mail("s@example.com")
        stalled.rcpt("never@example.com")
        stalled.putcmd("DATA")
        assert stalled.getreply()[0] == 354
        stalled.send(b"Subject: half a message\r\n")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert stalled.getreply() == (421, b"4.3.2 Service shutting down")
        assert process.wait(15) == 0
        assert 4 < time.monotonic() - started < 10  # GRIDRESELLER_SMTP_SHUTDOWN_SECONDS=5
    assert delivered.messages == []
