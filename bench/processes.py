"""The servers the benchmark measures: started in process groups of their own, waited
for until healthy, stopped with the run, and their logs read for problems."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gridreseller.config import ENV_PREFIX

BENCH_DIR = Path(__file__).resolve().parent
# uvicorn's lines start with the level; gridreseller's with a timestamp, then the level.
LOG_PROBLEM = re.compile(r"^(?:\S+ \S+ )?(?:ERROR|WARNING|CRITICAL)\b")
LOGS = ("server", "ceiling", "mail-server", "smtp", "mail-send-server", "mail-ceiling")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_environment() -> dict[str, str]:
    """Our environment without GRIDRESELLER_*: the server runs on its defaults."""
    return {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}


def start(
    command: list[str], log_path: Path, settings: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The command on the defaults, but for the GRIDRESELLER_* `settings` given."""
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**clean_environment(), **(settings or {})},
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole process group, SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
            return


def spawn(
    stack: contextlib.ExitStack,
    command: list[str],
    log_path: Path,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a process in its own process group, stopped when `stack` closes."""
    process = start(command, log_path, env)
    stack.callback(stop, process)
    return process


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{base_url} exited with {process.returncode}:\n{tail}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{base_url}/healthz did not answer 200 within 60 s")


def launch(
    stack: contextlib.ExitStack,
    name: str,
    command: list[str],
    work: Path,
    settings: dict[str, str] | None = None,
) -> tuple[str, int]:
    """Start one server in its own process group (stopped on exit): base URL and pid."""
    port = free_port()
    log_path = work / f"{name}.log"
    process = spawn(stack, [*command, "--port", str(port)], log_path, settings)
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url, process, log_path)
    return base_url, process.pid


def server_command(database_url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gridreseller",
        "serve",
        "--workers",
        "1",
        "--database-url",
        database_url,
    ]


def ceiling_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(BENCH_DIR),
        "ceiling:app",
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def log_problems(work: Path) -> list[str]:
    """Error and warning lines (and tracebacks) the servers logged during the run."""
    problems = []
    for name in LOGS:
        log = work / f"{name}.log"
        if not log.exists():
            continue
        for line in log.read_text(errors="replace").splitlines():
            if LOG_PROBLEM.search(line) or "Traceback" in line:
                problems.append(f"{name} logged: {line[:200]}")
    return problems[:20]
