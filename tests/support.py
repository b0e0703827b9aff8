"""Test support: a real server (in a thread or a process) and format-agnostic parsing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from gridreseller.asgi import create_app
from gridreseller.bootstrap import Container, build_container, http_parts
from gridreseller.config import Settings
from gridreseller.http_server import uvicorn_options
from gridreseller.identity.passwords import Passwords

# Cheap argon2id and no throttling for the bulk of the tests (every client is
# 127.0.0.1); the defaults have tests of their own.
TEST_SETTINGS = {
    "argon2_memory_kib": 1024,
    "argon2_time_cost": 1,
    "throttle_account_failures": 1_000_000,
    "throttle_network_failures": 1_000_000,
}
FORMATS = ("json", "xml")
ALL_BACKENDS = ("sqlite", "postgresql")


def chosen_backends() -> tuple[str, ...]:
    """GRIDRESELLER_TEST_BACKENDS=sqlite narrows the run for the quick loop; CI runs both."""
    chosen = os.environ.get("GRIDRESELLER_TEST_BACKENDS", ",".join(ALL_BACKENDS))
    names = tuple(name.strip() for name in chosen.split(",") if name.strip())
    unknown = [name for name in names if name not in ALL_BACKENDS]
    if unknown or not names:
        raise SystemExit(
            f"error: GRIDRESELLER_TEST_BACKENDS must name sqlite and/or postgresql, not {chosen!r}"
        )
    return names


BACKENDS = chosen_backends()


class CountingPasswords(Passwords):
    """The real hasher, counting how often it verifies (instrumentation, not a stub)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.verifications = 0

    def verify(self, stored_hash: str | None, password: str) -> bool:
        self.verifications += 1
        return super().verify(stored_hash, password)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Clock:
    """A settable UTC clock the services read instead of the wall clock."""

    now: datetime | None = None

    def __call__(self) -> datetime:
        current = self.now or datetime.now(UTC).replace(tzinfo=None)
        return current.replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        """Move a set clock on (a clock that follows the wall clock is set first)."""
        self.now = self() + timedelta(seconds=seconds)


@dataclass
class ThreadServer:
    """uvicorn serving the real app on 127.0.0.1 from a background thread."""

    container: Container
    port: int = field(default_factory=free_port)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        app = create_app(http_parts(self.container))
        options = uvicorn_options(self.container.settings, in_process=True)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_healthy(self.url)

    def stop(self) -> None:
        assert self.server and self.thread
        self.server.should_exit = True
        self.thread.join(10)


def container_for(
    database_url: str,
    clock: Clock | None = None,
    *,
    counting: bool = False,
    **overrides: Any,
) -> Container:
    """The real container on a migrated database, with the test settings; `counting`
    swaps in the hasher that counts its verifications."""
    settings = Settings(database_url=database_url, **{**TEST_SETTINGS, **overrides})
    passwords = CountingPasswords(settings) if counting else None
    return build_container(settings, clock or Clock(), passwords).migrate()


def verifications(container: Container) -> int:
    """How often the counting hasher has verified a password."""
    passwords = container.hashing.passwords
    assert isinstance(passwords, CountingPasswords)
    return passwords.verifications


def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Whether `condition` holds within `seconds` (for what is written in the background)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def wait_healthy(
    url: str, timeout: float = 20.0, process: subprocess.Popen[str] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not become healthy")


@contextmanager
def serve_process(
    database_url: str,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    port: int | None = None,
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`gridreseller serve` as a real child process; yields its base URL.

    Its output goes to a file (a pipe nobody reads would fill and block the server);
    `server_output(process)` reads it.
    """
    port = port or free_port()
    environment = {
        **os.environ,
        **{f"GRIDRESELLER_{k.upper()}": str(v) for k, v in TEST_SETTINGS.items()},
    }
    environment.update(env or {})
    handle, log_name = tempfile.mkstemp(prefix="gridreseller-serve-", suffix=".log")
    with os.fdopen(handle, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gridreseller",
                "serve",
                "--port",
                str(port),
                "--database-url",
                database_url,
                *args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            # Not the checkout: `serve` may write files (the admin password) in its cwd.
            cwd=cwd or tempfile.gettempdir(),
            start_new_session=True,
        )
    _LOGS[process.pid] = Path(log_name)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process=process)
        yield url, process
    finally:
        stop_server(process)


_LOGS: dict[int, Path] = {}


def server_output(process: subprocess.Popen[str]) -> str:
    return _LOGS[process.pid].read_text(encoding="utf-8", errors="replace")


def stop_server(process: subprocess.Popen[str]) -> str:
    """SIGTERM the server's process group (SIGKILL if it lingers); its whole output."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return server_output(process)


# A reseller made with the operator's CLI, for tests that run `serve` processes.
RESELLER = {"api_user": "reseller", "api_key": "reseller-pass"}
RESELLER_PACKAGE = "basic"


def run_cli(*args: str, database_url: str) -> None:
    command = [sys.executable, "-m", "gridreseller", *args, "--database-url", database_url]
    subprocess.run(command, check=True, capture_output=True, text=True)


def seed_reseller(database_url: str) -> None:
    user, password = RESELLER["api_user"], RESELLER["api_key"]
    run_cli(
        "distributor",
        "create",
        "--username",
        user,
        "--password",
        password,
        "--email",
        "reseller@example.com",
        database_url=database_url,
    )
    run_cli(
        "package",
        "create",
        "--distributor",
        user,
        "--name",
        RESELLER_PACKAGE,
        database_url=database_url,
    )


# Parsing both formats into one shape ---------------------------------------------


def parse(response: httpx.Response) -> Any:
    """JSON as is; XML turned into the same dicts/lists/strings the JSON would give."""
    media = response.headers["content-type"]
    if media.startswith("application/json"):
        return json.loads(response.content.decode("utf-8"))
    assert media == "application/xml; charset=ISO-8859-1", media
    assert response.content.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    return xml_to_data(ET.fromstring(response.content))


LIST_ELEMENTS = {"users", "credentials", "packages", "errors"}


def xml_to_data(element: ET.Element) -> Any:
    children = list(element)
    if element.tag in LIST_ELEMENTS:
        return [xml_to_data(child) for child in children]
    if not children:
        return element.text or ""
    return {child.tag: xml_to_data(child) for child in children}


def message(response: httpx.Response) -> str:
    data = parse(response)
    return str(data["message"])


def errors(response: httpx.Response) -> list[str]:
    data = parse(response)
    assert data["message"] == "error", data
    return list(data["errors"])
