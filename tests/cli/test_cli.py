"""The operator's commands (docs/deployment.md, Operator commands) against a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gridreseller.cli import app
from gridreseller.domain.access import Purpose
from gridreseller.domain.errors import Unauthorized
from tests.support import container_for

runner = CliRunner()


@pytest.fixture
def database_url(fresh_database_url: str) -> str:
    """An empty database of each backend (SQLite, PostgreSQL) for every test."""
    return fresh_database_url


def _run(database_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--database-url", database_url])
    return result.exit_code, result.output


def _distributor(database_url: str, username: str = "acme") -> None:
    code, output = _run(
        database_url,
        "distributor",
        "create",
        "--username",
        username,
        "--password",
        "acme-secret",
        "--email",
        "ops@acme.example",
    )
    assert code == 0, output


def test_distributor_create_makes_a_login(database_url: str) -> None:
    _distributor(database_url)
    container = container_for(database_url)
    login = container.identity.authenticate("ACME", "acme-secret", "-", Purpose.API_DISTRIBUTOR)
    assert asyncio.run(login).username == "acme"


def test_distributor_create_rejects_bad_input(database_url: str) -> None:
    code, output = _run(
        database_url,
        "distributor",
        "create",
        "--username",
        "x",
        "--password",
        "short",
        "--email",
        "not-an-email",
    )
    assert code == 1
    assert "password must be at least 6 characters" in output
    assert "email must be a valid email address" in output
    _distributor(database_url)
    code, output = _run(
        database_url,
        "distributor",
        "create",
        "--username",
        "ACME",
        "--password",
        "another1",
        "--email",
        "a@b.example",
    )
    assert (code, "username is already taken" in output) == (1, True)


def test_package_ip_and_audit_commands(database_url: str) -> None:
    _distributor(database_url)
    code, output = _run(
        database_url,
        "package",
        "create",
        "--distributor",
        "acme",
        "--name",
        "pro",
        "--price",
        "19.5",
        "--credits",
        "1000",
        "--has-ip",
    )
    assert code == 0, output
    code, output = _run(database_url, "package", "create", "--distributor", "acme", "--name", "pro")
    assert code == 1
    assert "already exists" in output
    code, output = _run(
        database_url,
        "ip",
        "add",
        "--distributor",
        "acme",
        "--group",
        "g1",
        "192.0.2.1",
        "2001:db8::1",
    )
    assert code == 0, output
    code, output = _run(
        database_url, "ip", "add", "--distributor", "acme", "--group", "g1", "999.0.0.1"
    )
    assert code == 1
    assert "not a valid IP address" in output
    code, output = _run(database_url, "audit", "--distributor", "acme", "--json")
    assert (code, output) == (0, "")  # operator commands are not API changes
    code, output = _run(database_url, "audit", "--since", "yesterday")
    assert code == 1
    assert "--since must be" in output
    code, output = _run(database_url, "package", "create", "--distributor", "ghost", "--name", "x")
    assert code == 1
    assert "no distributor named 'ghost'" in output


def test_database_url_defaults_to_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDRESELLER_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    result = runner.invoke(
        app,
        [
            "distributor",
            "create",
            "--username",
            "envy",
            "--password",
            "envy-secret",
            "--email",
            "e@example.com",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.db").exists()


def test_database_url_defaults_to_file_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRIDRESELLER_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "distributor",
            "create",
            "--username",
            "local",
            "--password",
            "local-secret",
            "--email",
            "l@example.com",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gridreseller.db").exists()


def test_audit_lines_cannot_be_split_by_any_line_separator(database_url: str) -> None:
    """A failed login's username is raw client input: U+2028, U+0085 and the other
    separators str.splitlines() knows are escaped in both outputs."""
    container = container_for(database_url)
    forged = "evil\u2028\u0085\u2029" + '2026-01-01T00:00:00Z actor="admin"'
    login = container.identity.authenticate(forged, "x", "192.0.2.7", Purpose.API_DISTRIBUTOR)
    with pytest.raises(Unauthorized):
        asyncio.run(login)
    for extra in ((), ("--json",)):
        code, output = _run(database_url, "audit", *extra)
        assert code == 0, output
        lines = [line for line in output.splitlines() if "evil" in line]
        assert len(lines) == 1, output
        assert "\\u2028\\u0085\\u2029" in lines[0]
    code, output = _run(database_url, "audit", "--json")
    targets = [json.loads(line)["target"] for line in output.splitlines()]
    assert forged in targets  # the JSON escapes read back as the text that was sent
