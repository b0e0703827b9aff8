"""`gridreseller serve` as an operator runs it: what it prints and logs, whose address it
believes, and how fast it stops."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support import RESELLER, seed_reseller, serve_process, server_output, stop_server

pytestmark = pytest.mark.slow
TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


def _audit(database_url: str) -> list[dict[str, object]]:
    command = [sys.executable, "-m", "gridreseller", "audit", "--json"]
    result = subprocess.run(
        [*command, "--database-url", database_url], capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def _fail_login(url: str, forwarded_for: str) -> None:
    response = httpx.post(
        f"{url}/api/distributor.packages.json",
        data={"api_user": "reseller", "api_key": "not-the-password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    assert response.status_code == 401


def _failed_login_clients(database_url: str) -> list[object]:
    return [e["client"] for e in _audit(database_url) if e["action"] == "login.failed"]


def test_forwarded_for_is_ignored_by_default(fresh_database_url: str) -> None:
    seed_reseller(fresh_database_url)
    with serve_process(fresh_database_url) as (url, _process):
        _fail_login(url, "203.0.113.7")
    assert _failed_login_clients(fresh_database_url) == ["127.0.0.1"]


def test_forwarded_for_is_believed_from_allowed_proxies(fresh_database_url: str) -> None:
    seed_reseller(fresh_database_url)
    allowed = ("--forwarded-allow-ips", "127.0.0.1,10.0.0.0/8")
    with serve_process(fresh_database_url, *allowed) as (url, process):
        _fail_login(url, "198.51.100.66, 203.0.113.7, 10.0.0.2")
        response = httpx.post(f"{url}/api/distributor.packages.json", data=RESELLER,
                              headers={"X-Forwarded-For": "203.0.113.8"})  # fmt: skip
        assert response.status_code == 200
        output = stop_server(process)
    assert _failed_login_clients(fresh_database_url) == ["203.0.113.7"]
    # The access log: the client the proxy named, and the login that acted.
    assert re.search(r"gridreseller.access: 203\.0\.113\.7 - POST /api/distributor", output)
    assert re.search(r"gridreseller.access: 203\.0\.113\.8 reseller POST /api/distributor", output)


def test_the_environment_setting_works_like_the_flag(fresh_database_url: str) -> None:
    seed_reseller(fresh_database_url)
    env = {"GRIDRESELLER_FORWARDED_ALLOW_IPS": "127.0.0.0/8"}
    with serve_process(fresh_database_url, env=env) as (url, _process):
        _fail_login(url, "2001:db8::9")
    assert _failed_login_clients(fresh_database_url) == ["2001:db8::9"]


def test_output_names_the_database_with_its_password_masked(fresh_database_url: str) -> None:
    database_url = fresh_database_url
    if database_url.startswith("postgresql://postgres@"):
        # The test cluster trusts local connections: a password is accepted and unused.
        database_url = database_url.replace("postgres@", "postgres:hunter2-pw@", 1)
    with serve_process(database_url) as (url, process):
        output = stop_server(process)
    shown = database_url.replace("hunter2-pw", "***")
    assert output.splitlines()[0] == f"database: {shown}"
    assert "hunter2-pw" not in output
    lines = output.splitlines()
    listening = next(i for i, line in enumerate(lines) if "listening on" in line)
    assert lines[listening] == f"gridreseller listening on {url}"
    # uvicorn's own lines carry timestamps like ours.
    uvicorn_lines = [line for line in lines if "uvicorn" in line]
    assert uvicorn_lines
    assert all(re.match(TIMESTAMP + " INFO uvicorn.error: ", line) for line in uvicorn_lines)


def test_an_idle_server_stops_within_a_second_of_sigterm(tmp_path: Path) -> None:
    with serve_process(f"sqlite:///{tmp_path / 'idle.db'}") as (url, process):
        assert httpx.get(f"{url}/healthz").status_code == 200
        time.sleep(0.5)
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
        took = time.monotonic() - started
        assert took < 1.0, (took, server_output(process))
    assert "Finished server process" in server_output(process)
