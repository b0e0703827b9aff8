"""What the commands print when they start on a new database: their own lines, not
Alembic's ("Context impl SQLiteImpl.", "Will assume transactional DDL."), which come
back at GRIDRESELLER_LOG_LEVEL=DEBUG."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import free_port, serve_process, stop_server

pytestmark = pytest.mark.slow
LISTENING = re.compile(r"gridreseller smtp listening on 127\.0\.0\.1:\d+")


def _environment(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRIDRESELLER_")}
    return {**clean, **extra}


def _smtp_start_up(database_url: str, log_level: str) -> str:
    """`gridreseller smtp` from start to listening, then SIGTERM: its whole output."""
    command = [sys.executable, "-m", "gridreseller", "smtp", "--relay", "127.0.0.1:25"]
    command += ["--port", str(free_port()), "--database-url", database_url]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_environment(GRIDRESELLER_LOG_LEVEL=log_level),
    )
    assert process.stdout is not None
    output = ""
    deadline = time.monotonic() + 30
    while not LISTENING.search(output) and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output += line
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=30)
    assert LISTENING.search(output), output + rest
    return output + rest


def test_smtp_starts_without_migration_lines(tmp_path: Path) -> None:
    output = _smtp_start_up(f"sqlite:///{tmp_path / 'new.db'}", "INFO")
    assert "alembic" not in output, output
    assert "SHA-256 fingerprint" in output
    debug = _smtp_start_up(f"sqlite:///{tmp_path / 'other.db'}", "DEBUG")
    assert "INFO alembic.runtime.migration" in debug, debug


def test_operator_commands_print_only_their_own_lines(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "gridreseller", "distributor", "list", "--database-url", url],
        capture_output=True,
        text=True,
        env=_environment(),
        check=True,
        timeout=60,
    )
    assert (done.stdout, done.stderr) == ("username  email  state  customers\n", "")


def test_serve_starts_without_migration_lines(tmp_path: Path) -> None:
    with serve_process(f"sqlite:///{tmp_path / 'new.db'}", cwd=tmp_path) as (_url, process):
        pass
    output = stop_server(process)
    assert "alembic" not in output, output
    assert "gridreseller listening on http://127.0.0.1:" in output


@pytest.mark.parametrize(
    ("relay", "line"),
    [
        (None, "sending: not configured (set GRIDRESELLER_RELAY); mail.send answers 503"),
        ("127.0.0.1:2525", "sending: relaying to 127.0.0.1:2525"),
        ("maildir:{tmp}/outbox", "WARNING: relaying to the Maildir {tmp}/outbox"),
    ],
)
def test_serve_says_where_mail_goes(tmp_path: Path, relay: str | None, line: str) -> None:
    """Where mail.send relays is said at start; a Maildir (nothing sent) loudly."""
    env = {"GRIDRESELLER_RELAY": relay.format(tmp=tmp_path)} if relay else {}
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with serve_process(url, env=env, cwd=tmp_path) as (_url, process):
        pass
    assert line.format(tmp=tmp_path) in stop_server(process)
