"""deploy/gridreseller.service: systemd accepts it, and it runs a command we have."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from gridreseller.cli import app

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "gridreseller.service"
INSTALLED = "/opt/gridreseller/.venv/bin/gridreseller"


def _exec_start() -> list[str]:
    lines = [line for line in UNIT.read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1
    return shlex.split(lines[0].removeprefix("ExecStart="))


def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path) -> None:
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package; .ci/run has it)")
    # The unit names the documented install path; here the command is this venv's.
    here = Path(sys.executable).with_name("gridreseller")
    assert here.exists()
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace(INSTALLED, str(here)))
    result = subprocess.run(
        [verify, "verify", "--man=no", str(unit)], capture_output=True, text=True, check=False
    )
    # Unknown keys and other mistakes are warnings with exit status 0: none may appear.
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_exec_start_uses_only_options_serve_has() -> None:
    program, command, *arguments = _exec_start()
    assert (program, command) == (INSTALLED, "serve")
    serve = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    known = {option for parameter in serve.params for option in parameter.opts}
    given = [argument for argument in arguments if argument.startswith("--")]
    assert given
    assert set(given) <= known
