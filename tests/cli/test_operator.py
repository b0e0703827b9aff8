"""The operator's docs/deployment.md commands on both databases: what they show, change and
refuse."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gridreseller.cli import app
from gridreseller.domain.access import Purpose
from tests.factories import customer_params
from tests.support import ThreadServer, container_for

runner = CliRunner()


@pytest.fixture
def database_url(fresh_database_url: str) -> str:
    return fresh_database_url


def _run(database_url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--database-url", database_url], input=stdin)
    return result.exit_code, result.output


def _ok(database_url: str, *args: str, stdin: str | None = None) -> str:
    code, output = _run(database_url, *args, stdin=stdin)
    assert code == 0, output
    return output


def _refused(database_url: str, *args: str, stdin: str | None = None) -> str:
    """Exit status 1 and `error: ...` lines, never a traceback."""
    code, output = _run(database_url, *args, stdin=stdin)
    assert code == 1, output
    assert output.startswith("error: "), output
    assert "Traceback" not in output
    return output


def _rows(output: str) -> list[list[str]]:
    """A printed table as rows of cells (the header first)."""
    return [line.split() for line in output.splitlines()]


def _setup(database_url: str) -> None:
    """Distributor acme with package basic and IP group g1; distributor zed, empty."""
    _ok(database_url, "distributor", "create", "--username", "acme", "--email", "ops@acme.example",
        "--password", "acme-secret")  # fmt: skip
    _ok(database_url, "distributor", "create", "--username", "zed", "--email", "z@zed.example",
        "--password", "-", stdin="zed-secret\n")  # fmt: skip
    _ok(database_url, "package", "create", "--distributor", "acme", "--name", "basic")
    _ok(database_url, "ip", "add", "--distributor", "acme", "--group", "g1", "192.0.2.1",
        "192.0.2.2")  # fmt: skip


@pytest.fixture
def server(database_url: str) -> Iterator[ThreadServer]:
    running = ThreadServer(container_for(database_url))
    running.start()
    yield running
    running.stop()


def _call(server: ThreadServer, endpoint: str, **data: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/{endpoint}.json", data=data, timeout=30)


def _add_customer(server: ThreadServer, username: str, **extra: str) -> None:
    params = customer_params(extra.pop("package", "basic"), username=username, **extra)
    response = _call(server, "distributor.add", api_user="acme", api_key="acme-secret", **params)
    assert response.status_code == 200, response.text


def test_version(database_url: str) -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, "gridreseller 0.1.0\n")


def test_distributor_list_shows_state_and_live_customers_never_a_hash(
    database_url: str, server: ThreadServer
) -> None:
    _setup(database_url)
    _add_customer(server, "one@example.com")
    _add_customer(server, "two@example.com")
    _add_customer(server, "gone@example.com")
    gone = {"api_user": "acme", "api_key": "acme-secret", "user": "gone@example.com"}
    assert _call(server, "distributor.delete", **gone).status_code == 200
    _ok(database_url, "distributor", "disable", "--username", "zed")
    output = _ok(database_url, "distributor", "list")
    assert _rows(output) == [
        ["username", "email", "state", "customers"],
        ["acme", "ops@acme.example", "enabled", "2"],
        ["zed", "z@zed.example", "disabled", "0"],
    ]
    assert "argon2" not in output


def test_disable_refuses_the_distributor_and_its_credentials_not_its_customers(
    database_url: str, server: ThreadServer
) -> None:
    _setup(database_url)
    _add_customer(server, "kept@example.com", password="kept-secret")
    acme = {"api_user": "acme", "api_key": "acme-secret"}
    bits = json.dumps({"email": 1, "web": 1, "api": 1})
    added = _call(server, "credentials/add", **acme, username="acme-api", password="cred-pass",
                  permissions=bits)  # fmt: skip
    assert added.status_code == 200, added.text
    credential = {"api_user": "acme-api", "api_key": "cred-pass"}
    customer = {"api_user": "kept@example.com", "api_key": "kept-secret"}

    assert _ok(database_url, "distributor", "disable", "--username", "ACME") == (
        "distributor ACME disabled\n"
    )
    for login in (acme, credential):
        assert _call(server, "distributor.packages", **login).status_code == 403
    assert _call(server, "credentials/get", **customer).status_code == 200
    container = container_for(database_url)
    mail = container.identity.authenticate(
        "kept@example.com", "kept-secret", "-", Purpose.SEND_MAIL
    )
    assert asyncio.run(mail).username == "kept@example.com"
    again = _ok(database_url, "distributor", "disable", "--username", "acme")
    assert again == "acme was already disabled\n"

    assert _ok(database_url, "distributor", "enable", "--username", "acme") == (
        "distributor acme enabled\n"
    )
    for login in (acme, credential):
        assert _call(server, "distributor.packages", **login).status_code == 200
    events = [json.loads(line) for line in _ok(database_url, "audit", "--json").splitlines()]
    changes = [(e["action"], e["surface"], e["actor"]) for e in events if e["surface"] == "cli"]
    assert changes == [
        ("distributor.disable", "cli", "operator"),
        ("distributor.enable", "cli", "operator"),
    ]


def test_set_password_from_stdin_replaces_the_old_one(
    database_url: str, server: ThreadServer
) -> None:
    _setup(database_url)
    old = {"api_user": "acme", "api_key": "acme-secret"}
    assert _call(server, "distributor.packages", **old).status_code == 200
    output = _ok(database_url, "distributor", "set-password", "--username", "acme",
                 "--password", "-", stdin="brand-new-pass\n")  # fmt: skip
    assert output == "password of acme changed\n"
    assert _call(server, "distributor.packages", **old).status_code == 401
    new = {"api_user": "acme", "api_key": "brand-new-pass"}
    assert _call(server, "distributor.packages", **new).status_code == 200
    _ok(
        database_url,
        "distributor",
        "set-password",
        "--username",
        "acme",
        "--password",
        "third-pass",
    )
    audit_lines = _ok(database_url, "audit", "--json").splitlines()
    entry = json.loads(audit_lines[-1])
    assert (entry["action"], entry["fields"]) == (
        "distributor.set_password",
        {"password": "(changed)"},
    )
    assert "third-pass" not in "".join(audit_lines)


def test_distributor_commands_refuse_bad_input(database_url: str) -> None:
    _setup(database_url)
    for command in ("disable", "enable"):
        output = _refused(database_url, "distributor", command, "--username", "ghost")
        assert output == "error: no distributor named 'ghost'\n"
    output = _refused(database_url, "distributor", "set-password", "--username", "acme",
                      "--password", "short")  # fmt: skip
    assert output == "error: password must be at least 6 characters\n"
    output = _refused(database_url, "distributor", "set-password", "--username", "acme",
                      "--password", "-", stdin="")  # fmt: skip
    assert output == "error: --password -: nothing on standard input\n"
    # No terminal to prompt on, and no password given.
    output = _refused(database_url, "distributor", "set-password", "--username", "acme")
    assert "--password is required" in output
    output = _refused(database_url, "distributor", "create", "--username", "x")
    assert output.splitlines()[0].startswith("error: Missing option '--email'")


def test_package_list_and_delete(database_url: str, server: ThreadServer) -> None:
    _setup(database_url)
    _ok(database_url, "package", "create", "--distributor", "acme", "--name", "pro", "--price",
        "19.5", "--credits", "1000", "--has-ip")  # fmt: skip
    _ok(database_url, "package", "create", "--distributor", "zed", "--name", "spare")
    _add_customer(server, "on-basic@example.com")
    header = ["distributor", "name", "price", "credits", "overage", "distributor_price"]
    header += ["has_ip", "has_reseller", "customers"]
    assert _rows(_ok(database_url, "package", "list")) == [
        header,
        ["acme", "basic", "0.00", "0", "0.0000", "0.00", "no", "no", "1"],
        ["acme", "pro", "19.50", "1000", "0.0000", "0.00", "yes", "no", "0"],
        ["zed", "spare", "0.00", "0", "0.0000", "0.00", "no", "no", "0"],
    ]
    only_zed = _rows(_ok(database_url, "package", "list", "--distributor", "zed"))
    assert [row[1] for row in only_zed[1:]] == ["spare"]

    output = _refused(database_url, "package", "delete", "--distributor", "acme", "--name", "basic")
    assert output == "error: package 'basic' is in use by 1 live customer (on-basic@example.com)\n"
    output = _refused(database_url, "package", "delete", "--distributor", "zed", "--name", "basic")
    assert output == "error: zed has no package named 'basic'\n"
    output = _refused(database_url, "package", "delete", "--distributor", "ghost", "--name", "x")
    assert output == "error: no distributor named 'ghost'\n"

    gone = {"api_user": "acme", "api_key": "acme-secret", "user": "on-basic@example.com"}
    assert _call(server, "distributor.delete", **gone).status_code == 200
    _ok(database_url, "package", "delete", "--distributor", "acme", "--name", "basic")
    names = [row[1] for row in _rows(_ok(database_url, "package", "list"))[1:]]
    assert names == ["pro", "spare"]
    # The deleted customer's username stays reserved.
    again = customer_params("pro", username="on-basic@example.com")
    response = _call(server, "distributor.add", api_user="acme", api_key="acme-secret", **again)
    assert response.json()["errors"] == ["username is already taken"]


def test_ip_list_and_remove(database_url: str, server: ThreadServer) -> None:
    _setup(database_url)
    _ok(database_url, "package", "create", "--distributor", "acme", "--name", "dedicated",
        "--has-ip")  # fmt: skip
    _ok(database_url, "ip", "add", "--distributor", "acme", "--group", "g2", "2001:db8::1")
    _ok(database_url, "ip", "add", "--distributor", "zed", "--group", "z", "198.51.100.7")
    _add_customer(server, "grouped@example.com", **{"ip_group[]": "g2"})
    _add_customer(server, "own-ip@example.com", package="dedicated", **{"ip[]": "192.0.2.2"})
    assert _rows(_ok(database_url, "ip", "list")) == [
        ["distributor", "group", "group_customers", "address", "customers"],
        ["acme", "g1", "0", "192.0.2.1", "0"],
        ["acme", "g1", "0", "192.0.2.2", "1"],
        ["acme", "g2", "1", "2001:db8::1", "0"],
        ["zed", "z", "0", "198.51.100.7", "0"],
    ]
    output = _refused(database_url, "ip", "remove", "--distributor", "acme", "192.0.2.2")
    assert output == "error: 192.0.2.2 is in use by 1 live customer (own-ip@example.com)\n"
    output = _refused(database_url, "ip", "remove", "--distributor", "acme", "--group", "g2")
    assert output == "error: IP group 'g2' is in use by 1 live customer (grouped@example.com)\n"
    output = _refused(database_url, "ip", "remove", "--distributor", "acme", "--group", "g1")
    assert output == "error: IP group 'g1' is in use by 1 live customer (own-ip@example.com)\n"
    output = _refused(database_url, "ip", "remove", "--distributor", "acme", "198.51.100.7")
    assert output == "error: 198.51.100.7 is not one of acme's addresses\n"
    output = _refused(database_url, "ip", "remove", "--distributor", "acme", "300.1.1.1")
    assert output == "error: not a valid IP address: '300.1.1.1'\n"
    output = _refused(database_url, "ip", "remove", "--distributor", "acme")
    assert output == "error: at least one address is required\n"
    output = _refused(database_url, "ip", "remove", "--distributor", "acme", "--group", "nope")
    assert output == "error: acme has no IP group named 'nope'\n"
    output = _refused(database_url, "ip", "remove", "--distributor", "acme", "--group", "g1",
                      "192.0.2.1")  # fmt: skip
    assert output == "error: give either --group or addresses, not both\n"

    # An address of a group in use may go (the group is a pool); the group stays.
    _ok(database_url, "ip", "remove", "--distributor", "acme", "2001:DB8::1", "192.0.2.1")
    _ok(database_url, "ip", "remove", "--distributor", "zed", "--group", "z")
    assert _rows(_ok(database_url, "ip", "list", "--distributor", "acme"))[1:] == [
        ["acme", "g1", "0", "192.0.2.2", "1"],
        ["acme", "g2", "1", "-", "0"],
    ]
    assert _ok(database_url, "ip", "list", "--distributor", "zed") == (
        "distributor  group  group_customers  address  customers\n"
    )
    lines = _ok(database_url, "audit", "--json").splitlines()
    removals = [e for e in map(json.loads, lines) if e["surface"] == "cli"]
    assert [(e["action"], e["target"], e["fields"]) for e in removals] == [
        ("ip.remove", "acme", {"addresses": ["2001:db8::1", "192.0.2.1"]}),
        ("ip_group.remove", "z", {"addresses": ["198.51.100.7"]}),
    ]


def test_audit_json_keeps_permissions_an_object(database_url: str, server: ThreadServer) -> None:
    _setup(database_url)
    bits = json.dumps({"email": 1, "web": 0, "api": 1})
    added = _call(server, "credentials/add", api_user="acme", api_key="acme-secret",
                  username="sender", password="cred-pass", permissions=bits)  # fmt: skip
    assert added.status_code == 200, added.text
    entry = json.loads(_ok(database_url, "audit", "--json").splitlines()[-1])
    assert entry["fields"]["permissions"] == {"email": 1, "web": 0, "api": 1}


def test_backup_of_postgresql_points_to_pg_dump(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only (SQLite backups: tests/api/test_backup.py)")
    target = tmp_path / "copy.dump"
    output = _refused(database_url, "backup", "--to", str(target))
    assert output == (
        "error: backup --to copies SQLite databases; for PostgreSQL use pg_dump:"
        f" pg_dump --format=custom --file={target} '{database_url}' (docs/deployment.md)\n"
    )
    assert not target.exists()
