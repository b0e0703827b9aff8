"""With `--password` left out, a terminal gets a hidden prompt (asked twice); the
password never appears in what the terminal shows."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.database import unit_of_work
from tests.support import container_for

pytestmark = pytest.mark.slow
SECRET = "typed-at-the-prompt"


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, bytes(seen)
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen.extend(os.read(fd, 1024))
            except OSError:  # the child closed the terminal
                return


def test_prompted_password_is_hidden_and_used(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'prompt.db'}"
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "gridreseller", "distributor", "create", "--username",
               "prompted", "--email", "p@example.com", "--database-url", database_url]  # fmt: skip
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    seen = bytearray()
    try:
        _read_until(controller, b"Password: ", seen)
        os.write(controller, SECRET.encode() + b"\n")
        _read_until(controller, b"Repeat for confirmation: ", seen)
        os.write(controller, SECRET.encode() + b"\n")
        _read_until(controller, b"created distributor prompted", seen)
        assert process.wait(30) == 0, bytes(seen)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    assert SECRET.encode() not in seen
    container = container_for(database_url)
    with unit_of_work(container.services).read() as repository:
        login = repository.login_for_auth("prompted")
    assert login is not None
    assert container.services.passwords.verify(login.password_hash, SECRET)
