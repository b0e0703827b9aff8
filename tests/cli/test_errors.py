"""Every configuration mistake through the real command line: one `error: ...` line on
stderr, exit status 1, no traceback, nothing created."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port

pytestmark = pytest.mark.slow
EXAMPLES = "sqlite:///path/to/file.db or postgresql://user:password@host:5432/name"


def gridreseller(
    *args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = (), python: str = ""
) -> subprocess.CompletedProcess[str]:
    """The installed CLI's entry point in a fresh interpreter (`python` runs first)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRIDRESELLER_")}
    code = f"{python}\nfrom gridreseller.cli import main\nmain()"
    command = [*prefix, sys.executable, "-c", code, *args]
    environment = {**clean, **(env or {})}
    return subprocess.run(
        command, check=False, capture_output=True, text=True, env=environment, timeout=60
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], line: str) -> None:
    assert (result.returncode, result.stderr) == (1, f"error: {line}\n"), result
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("sqlite//nothing", f"'sqlite//nothing' is not a database URL ({EXAMPLES})"),
        # A malformed URL is quoted back with its password masked.
        (
            "postgres ://u:hunter22@h/d",
            f"'postgres ://u:***@h/d' is not a database URL ({EXAMPLES})",
        ),
        ("mysql://u:p@localhost/db", f"unsupported database URL scheme 'mysql' ({EXAMPLES})"),
        ("sqlite://", f"a SQLite database URL needs a file path ({EXAMPLES})"),
    ],
)
def test_database_urls_that_cannot_work(url: str, line: str) -> None:
    assert_one_line_error(gridreseller("distributor", "list", "--database-url", url), line)


def test_postgresql_without_its_driver() -> None:
    # The driver made unimportable in that interpreter, as if never installed.
    hide = "import sys; sys.modules['psycopg'] = None"
    url = "postgresql://u:p@127.0.0.1:5432/db"
    result = gridreseller("distributor", "list", "--database-url", url, python=hide)
    assert_one_line_error(
        result, "PostgreSQL needs its driver: pip install 'gridreseller[postgres]'"
    )


def test_postgresql_unreachable_names_it_without_the_password() -> None:
    port = free_port()
    url = f"postgresql://ops:s3cret-pw@127.0.0.1:{port}/grid"
    result = gridreseller("package", "list", "--database-url", url)
    prefix = f"error: cannot open the database postgresql://ops:***@127.0.0.1:{port}/grid: "
    assert result.returncode == 1
    assert result.stderr.startswith(prefix), result.stderr
    assert "Connection refused" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "s3cret-pw" not in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_directory_is_an_error_not_a_new_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "data.db"
    result = gridreseller("distributor", "list", "--database-url", f"sqlite:///{missing}")
    line = f"the directory {missing.parent} does not exist (create it, or fix the database URL)"
    assert_one_line_error(result, line)
    assert not missing.parent.exists()


def test_directory_not_writable(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        # root writes anywhere; without CAP_DAC_OVERRIDE it obeys the mode bits.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux) to drop the capability")
        prefix = (setpriv, "--bounding-set=-dac_override,-dac_read_search")
    url = f"sqlite:///{locked / 'data.db'}"
    result = gridreseller("distributor", "list", "--database-url", url, prefix=prefix)
    assert_one_line_error(result, f"cannot write to the directory {locked}")
    assert list(locked.iterdir()) == []


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("these are my notes, not a database\n" * 200)
    result = gridreseller("distributor", "list", "--database-url", f"sqlite:///{other}")
    assert_one_line_error(
        result, f"cannot open the database sqlite:///{other}: file is not a database"
    )


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("WORKER_THREADS", "many", "GRIDRESELLER_WORKER_THREADS must be an integer, not 'many'"),
        ("ARGON2_TIME_COST", "0", "GRIDRESELLER_ARGON2_TIME_COST must be at least 1, not 0"),
        ("LOGIN_CACHE_SIZE", "-5", "GRIDRESELLER_LOGIN_CACHE_SIZE must be at least 0, not -5"),
        (
            "FORWARDED_ALLOW_IPS",
            "10.0.0.0/8, proxy.local",
            "GRIDRESELLER_FORWARDED_ALLOW_IPS: 'proxy.local' is not an IP address or network",
        ),
        (
            "LOG_LEVEL",
            "loud",
            "GRIDRESELLER_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        ),
    ],
)
def test_bad_environment_values(variable: str, value: str, line: str, tmp_path: Path) -> None:
    env = {
        f"GRIDRESELLER_{variable}": value,
        "GRIDRESELLER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    assert_one_line_error(gridreseller("distributor", "list", env=env), line)


def test_bad_forwarded_allow_ips_flag(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = gridreseller("serve", "--forwarded-allow-ips", "127.0.0.1,*", "--database-url", url)
    assert_one_line_error(result, "--forwarded-allow-ips: '*' is not an IP address or network")


def test_port_in_use_says_so_before_any_listening_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        url = f"sqlite:///{tmp_path / 'x.db'}"
        result = gridreseller("serve", "--port", str(port), "--database-url", url)
    assert_one_line_error(result, f"cannot listen on 127.0.0.1:{port}: the port is in use")
    assert "listening" not in result.stdout
    assert not (tmp_path / "gridreseller-admin-password").exists()


def test_usage_mistakes_are_one_line_too() -> None:
    result = gridreseller("serve", "--port", "http")
    assert result.returncode == 1
    assert result.stderr.startswith("error: Invalid value for '--port'")
    assert result.stderr.endswith(" (see gridreseller serve --help)\n")
    assert result.stderr.count("\n") == 1
    result = gridreseller("distributor", "frobnicate")
    assert result.returncode == 1
    assert result.stderr.startswith("error: No such command 'frobnicate'")


def test_version_of_the_installed_package() -> None:
    result = gridreseller("--version")
    assert (result.returncode, result.stdout) == (0, "gridreseller 0.1.0\n")


def test_smtp_port_in_use_is_the_same_one_line_as_serve_s(tmp_path: Path) -> None:
    """Nothing before the error suggests it started: no fingerprint, no migration lines."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        url = f"sqlite:///{tmp_path / 'x.db'}"
        result = gridreseller(
            "smtp", "--relay", "127.0.0.1:25", "--port", str(port), "--database-url", url
        )
    assert_one_line_error(result, f"cannot listen on 127.0.0.1:{port}: the port is in use")
    assert result.stdout == ""
