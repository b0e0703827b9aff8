"""`gridreseller smtp` relaying to a Maildir (docs/smtp.md, "One outbound path"): the
target from --relay or GRIDRESELLER_RELAY, a loud warning at start, each message kept
with its envelope; the size limit from GRIDRESELLER_MAX_MESSAGE_BYTES."""

from __future__ import annotations

import mailbox
import os
import signal
import smtplib
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gridreseller.services import operator
from tests.mail.support import MESSAGE, client_tls
from tests.mail.test_smtp_command import LISTENING, command, environment, port_of
from tests.support import container_for, free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def database(fresh_database_url: str) -> str:
    container = container_for(fresh_database_url)
    operator.create_distributor(container.services, "sender", "sender-pass", "s@example.com")
    container.close()
    return fresh_database_url


@contextmanager
def smtp_running(database_url: str, tmp_path: Path, *args: str, **env: str) -> Iterator[str]:
    """The command running with `args` and `env`; yields its output once it listens."""
    output = tmp_path / "smtp.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            command(database_url, "--port", str(free_port()), *args),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment(**env),
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not LISTENING.search(output.read_text()):
            assert process.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.05)
        yield output.read_text()
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def send_one(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.starttls(context=client_tls())
        client.login("sender", "sender-pass")
        assert client.esmtp_features["size"] == "4000"
        assert (
            client.sendmail("from@example.com", ["a@example.com", "b@example.com"], MESSAGE) == {}
        )


@pytest.mark.parametrize("source", ["option", "variable"])
def test_messages_are_kept_in_the_maildir_and_the_start_says_so(
    database: str, tmp_path: Path, source: str
) -> None:
    box = tmp_path / "box"
    target = f"maildir:{box}"
    args = ("--relay", target) if source == "option" else ()
    env = {"GRIDRESELLER_MAX_MESSAGE_BYTES": "4000"}
    if source == "variable":
        env["GRIDRESELLER_RELAY"] = target
    with smtp_running(database, tmp_path, *args, **env) as text:
        assert f"WARNING: relaying to the Maildir {box}" in text
        assert f"relaying to {target}" in text
        send_one(port_of(text))
    (stored,) = list(mailbox.Maildir(box, create=False))
    assert stored["Return-Path"] == "<from@example.com>"
    assert stored.get_all("X-Envelope-To") == ["<a@example.com>", "<b@example.com>"]
    assert stored["Received"].startswith("from ")
    assert "(authenticated login sender)" in stored["Received"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), {}, "error: --relay is required (or set GRIDRESELLER_RELAY)"),
        ((), {"GRIDRESELLER_RELAY": "nowhere"}, "error: GRIDRESELLER_RELAY must be HOST:PORT"),
        (("--relay", "maildir:"), {}, "error: --relay must name a directory after maildir:"),
    ],
)
def test_a_missing_or_bad_relay_is_one_line(
    fresh_database_url: str,
    tmp_path: Path,
    args: tuple[str, ...],
    env: dict[str, str],
    message: str,
) -> None:
    done = subprocess.run(
        command(fresh_database_url, *args),
        check=False,
        capture_output=True,
        text=True,
        env={k: v for k, v in environment(**env).items() if env or k != "GRIDRESELLER_RELAY"},
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith(message)
    assert "Traceback" not in done.stderr
