"""`gridreseller backup --to FILE` while `serve` runs and writes: the copy is consistent,
and it serves."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.factories import customer_params
from tests.support import RESELLER, seed_reseller, serve_process

pytestmark = pytest.mark.slow


class Writer(threading.Thread):
    """Adds customers one after another; `added` holds those answered 200, in order."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.added: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stopping.is_set():
                name = f"written{len(self.added):05d}@example.com"
                data = {**RESELLER, **customer_params("basic", username=name)}
                response = client.post("/api/distributor.add.json", data=data)
                assert response.status_code == 200, response.text
                self.added.append(name)


def _backup(database_url: str, target: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gridreseller", "backup", "--to", str(target)]
    return subprocess.run(
        [*command, "--database-url", database_url], capture_output=True, text=True, check=False
    )


def _customers(url: str) -> list[str]:
    data = {**RESELLER, "method": "profile", "task": "get"}
    response = httpx.post(f"{url}/api/distributor.manage.json", data=data, timeout=30)
    assert response.status_code == 200
    return [row["username"] for row in response.json()]


def test_backup_while_writing_is_a_consistent_copy(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'live.db'}"
    seed_reseller(database_url)
    copy = tmp_path / "backups" / "copy.db"
    copy.parent.mkdir()
    with serve_process(database_url) as (url, _process):
        writer = Writer(url)
        writer.start()
        while len(writer.added) < 20:
            time.sleep(0.05)
        before = list(writer.added)
        result = _backup(database_url, copy)
        after = list(writer.added)
        while len(writer.added) < len(after) + 10:
            time.sleep(0.05)  # writes go on after the copy
        writer.stopping.set()
        writer.join(30)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("backed up ") and str(copy) in result.stdout
        everything = _customers(url)
    assert everything == sorted(writer.added)
    # One self-contained file, checked.
    assert sorted(os.listdir(copy.parent)) == ["copy.db"]
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with serve_process(f"sqlite:///{copy}") as (url, _process):
        copied = _customers(url)
    # Everything answered before the copy began, nothing that was not answered by its end,
    # and no gaps: the database as of one moment.
    assert set(before) <= set(copied) <= set(after) | set(writer.added[len(after) : len(after) + 1])
    assert copied == sorted(writer.added[: len(copied)])
    assert len(copied) < len(writer.added)


def test_backup_refuses_an_existing_file_and_a_missing_directory(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'live.db'}"
    seed_reseller(database_url)
    existing = tmp_path / "old-backup.db"
    existing.write_bytes(b"precious")
    result = _backup(database_url, existing)
    assert (result.returncode, result.stderr) == (
        1,
        f"error: --to: {existing} exists (the backup goes to a new file)\n",
    )
    assert existing.read_bytes() == b"precious"
    missing = tmp_path / "nowhere" / "copy.db"
    result = _backup(database_url, missing)
    assert (result.returncode, result.stderr) == (
        1,
        f"error: --to: the directory {missing.parent} does not exist\n",
    )
