"""docs/smtp.md's client examples (smtplib, and swaks after openssl), pasted into bash
against a real `gridreseller smtp`: they send with the printed fingerprint, and stop
before AUTH with another."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gridreseller.services import operator
from tests.mail.support import Sink
from tests.mail.test_smtp_command import FINGERPRINT, port_of, smtp_process
from tests.support import container_for

pytestmark = pytest.mark.slow
DOC = Path(__file__).resolve().parents[2] / "docs" / "smtp.md"
SECTION = "## Sending a message: smtplib and swaks, the certificate pinned"


def examples() -> list[str]:
    """The section's sh blocks after the first (which only sets the example's F)."""
    text = DOC.read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ")]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert blocks[0].startswith("F="), blocks[0]
    return blocks[1:]


def paste(port: int, fingerprint: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The examples in one bash, as the walkthrough's shell has them (U, K set)."""
    setup = f"U=sender\nK=sender-pass\nF={fingerprint}\n"
    code = setup + "\n".join(examples()).replace("2525", str(port))
    return subprocess.run(
        ["bash", "--norc", "--noprofile"],
        input=code,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database(fresh_database_url: str) -> str:
    container = container_for(fresh_database_url)
    operator.create_distributor(container.services, "sender", "sender-pass", "s@example.com")
    container.close()
    return fresh_database_url


@pytest.mark.skipif(
    shutil.which("swaks") is None or shutil.which("openssl") is None,
    reason="swaks and openssl are installed by .ci/run",
)
def test_the_examples_send_with_the_printed_fingerprint_only(
    database: str, delivered: Sink, tmp_path: Path
) -> None:
    with smtp_process(database, delivered.port, tmp_path) as (_process, _log, text):
        printed = FINGERPRINT.search(text)
        assert printed is not None, text
        port = port_of(text)
        pinned = paste(port, printed.group(1), tmp_path)
        assert pinned.returncode == 0, pinned.stdout + pinned.stderr
        assert pinned.stdout.startswith("sent\n"), pinned.stdout
        assert "<~  250 2.0.0 Ok: queued as SINK1" in pinned.stdout
        assert len(delivered.messages) == 2
        secret = base64.b64encode(b"\0sender\0sender-pass").decode()
        assert "sender-pass" not in pinned.stdout + pinned.stderr
        assert secret not in pinned.stdout + pinned.stderr
        another = "00:" * 31 + "00"
        refused = paste(port, another, tmp_path)
    assert "not the certificate gridreseller printed" in refused.stderr
    assert "not the printed certificate" in refused.stderr
    assert "~> AUTH" not in refused.stdout + refused.stderr
    assert len(delivered.messages) == 2
