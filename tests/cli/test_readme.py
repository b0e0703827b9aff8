"""The README's walkthrough, pasted into an interactive bash as a newcomer would, in
order, against a fresh `scripts/serve.sh` on the default database and a port chosen by
`PORT`: every command succeeds and every API call answers a success. So the README
cannot rot."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support import TEST_SETTINGS, free_port, wait_healthy

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# Every curl call reports its status after its body.
CURL = (
    "curl() { command curl --silent --show-error --write-out '\\n::http %{http_code}\\n' \"$@\"; }"
)


def commands(markdown: str) -> list[str]:
    """The commands of the ```sh blocks, in order; continued lines joined."""
    found = []
    for block in re.findall(r"^```sh\n(.*?)^```$", markdown, re.DOTALL | re.MULTILINE):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip() and not command.lstrip().startswith("#"):
                found.append(command)
    return found


def script(walkthrough: list[str]) -> str:
    """Each command on one line with a marker before it: a line that bash discards (a
    failed history expansion, as in an interactive shell) leaves its marker out."""
    lines = [CURL]
    for number, command in enumerate(walkthrough):
        lines.append(f'echo "::begin {number}"; {command}')
        lines.append(f'echo "::end {number} $?"')
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Outcome:
    command: str
    status: int
    output: str

    @property
    def http_status(self) -> int | None:
        found = re.search(r"^::http (\d+)$", self.output, re.MULTILINE)
        return int(found.group(1)) if found else None

    @property
    def body(self) -> str:
        return re.sub(r"\n::http \d+\n?$", "", self.output)


def outcomes(walkthrough: list[str], output: str) -> list[Outcome]:
    results = []
    for number, command in enumerate(walkthrough):
        found = re.search(
            rf"^::begin {number}\n(.*?)^::end {number} (\d+)$", output, re.DOTALL | re.MULTILINE
        )
        assert found, f"bash did not run command {number}: {command}\n{output}"
        results.append(Outcome(command, int(found.group(2)), found.group(1)))
    return results


def assert_success(body: str) -> None:
    """A JSON or XML answer that is not the error envelope."""
    if body.lstrip().startswith("<?xml"):
        root = ET.fromstring(body.encode("latin-1"))
        assert root.findtext("message") != "error", body
        return
    data = json.loads(body)
    assert not (isinstance(data, dict) and data.get("message") == "error"), body


def test_readme_examples_are_fenced_shell_blocks() -> None:
    walkthrough = commands(README.read_text())
    assert len(walkthrough) > 20
    assert sum("curl " in c for c in walkthrough) > 15
    assert any(c.startswith("gridreseller distributor create") or "| gridreseller" in c
               for c in walkthrough)  # fmt: skip
    assert any("method=limit -d task=retrieve" in c for c in walkthrough)
    assert any("mail.send.json" in c for c in walkthrough)
    assert "distributor.delete" in walkthrough[-3]  # deleting comes last
    # The port comes from the variable `scripts/serve.sh` reads, never written out.
    assert "B=http://127.0.0.1:${PORT:-8080}/api" in walkthrough
    assert not any(":8080/" in c for c in walkthrough)


@contextmanager
def serve_script(tmp_path: Path, port: int) -> Iterator[str]:
    """`PORT=... scripts/serve.sh` as the README starts it, on this test's virtual
    environment and on ./gridreseller.db of `tmp_path` (the walkthrough's directory)."""
    venv = Path(sys.executable).parent.parent
    assert (venv / "bin" / "gridreseller").exists(), f"tests run outside a virtualenv: {venv}"
    environment = {
        **os.environ,
        **{f"GRIDRESELLER_{k.upper()}": str(v) for k, v in TEST_SETTINGS.items()},
        "GRIDRESELLER_DATABASE_URL": f"sqlite:///{tmp_path / 'gridreseller.db'}",
        "VENV": str(venv),
        "PORT": str(port),
        # As the README starts it: mail sent lands in the walkthrough's ./outbox.
        "GRIDRESELLER_RELAY": f"maildir:{tmp_path / 'outbox'}",
    }
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process=process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def test_readme_walkthrough_runs_as_pasted(tmp_path: Path) -> None:
    walkthrough = commands(README.read_text())
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GRIDRESELLER_")}
    environment.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}",
        HOME=str(tmp_path),
        HISTFILE=os.devnull,
        PORT=str(port),  # `export PORT=...` in the second terminal, as the README says
    )
    with serve_script(tmp_path, port) as url:
        assert "dashboard" in httpx.get(url + "/").text
        done = subprocess.run(
            ["bash", "--norc", "--noprofile", "-i"],
            input=script(walkthrough),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environment,
            timeout=300,
            check=False,
        )
    assert "event not found" not in done.stderr, done.stderr
    sent = [o for o in outcomes(walkthrough, done.stdout) if "mailbox.Maildir" in o.command]
    assert sent and sent[0].output.strip() == "<friend@example.net> | Hello from gridreseller"
    for outcome in outcomes(walkthrough, done.stdout):
        assert outcome.status == 0, (outcome.command, outcome.output, done.stderr)
        if outcome.command.startswith("curl"):
            assert outcome.http_status == 200, (outcome.command, outcome.output)
            assert_success(outcome.body)
