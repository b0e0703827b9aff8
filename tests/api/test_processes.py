"""`gridreseller serve` as a real process: first start, restarts, several workers."""

from __future__ import annotations

import os
import re
import signal
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.factories import customer_params
from tests.support import RESELLER, seed_reseller, serve_process, stop_server

pytestmark = pytest.mark.slow
LOGIN = RESELLER


def _add(url: str, username: str) -> httpx.Response:
    params = customer_params("basic", username=username)
    data = {**LOGIN, **params}
    return httpx.post(f"{url}/api/distributor.add.json", data=data, timeout=60)


def _usernames(url: str) -> list[str]:
    response = httpx.post(
        f"{url}/api/distributor.manage.json",
        data={
            "api_user": "reseller",
            "api_key": "reseller-pass",
            "method": "profile",
            "task": "get",
        },
    )
    assert response.status_code == 200
    return [row["username"] for row in response.json()]


def test_first_serve_creates_admin_once(fresh_database_url: str, tmp_path: Path) -> None:
    """Its password goes to a file only its owner may read, never to the output (a log)."""
    database_url = fresh_database_url
    with serve_process(database_url, cwd=tmp_path) as (url, process):
        output = stop_server(process)
    found = re.search(r"created distributor 'admin'; its password is in (\S+) ", output)
    assert found, output
    assert f"listening on {url}" in output
    password_file = Path(found.group(1))
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 20
    assert password not in output
    with serve_process(database_url, cwd=tmp_path) as (url, process):
        response = httpx.get(
            f"{url}/api/distributor.packages.json",
            params={"api_user": "admin", "api_key": password},
        )
        assert response.status_code == 200
        assert "created distributor" not in stop_server(process)


def test_answered_writes_survive_kill(fresh_database_url: str) -> None:
    database_url = fresh_database_url
    seed_reseller(database_url)
    with serve_process(database_url) as (url, process):
        assert _add(url, "kept@example.com").status_code == 200
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with serve_process(database_url) as (url, _process):
        assert _usernames(url) == ["kept@example.com"]


def test_workers_share_the_database_without_lock_errors(fresh_database_url: str) -> None:
    database_url = fresh_database_url
    seed_reseller(database_url)
    with serve_process(database_url, "--workers", "2") as (url, _process):
        names = [f"user{i}@example.com" for i in range(24)]
        same = ["same@example.com"] * 12
        with ThreadPoolExecutor(max_workers=12) as pool:
            responses = list(pool.map(lambda n: _add(url, n), names + same))
        distinct, racing = responses[: len(names)], responses[len(names) :]
        assert [r.status_code for r in distinct] == [200] * len(names)
        statuses = sorted(r.status_code for r in racing)
        assert statuses == [200] + [400] * (len(same) - 1)
        assert all(
            r.json()["errors"] == ["username is already taken"]
            for r in racing
            if r.status_code == 400
        )
        assert sorted(_usernames(url)) == sorted([*names, "same@example.com"])
