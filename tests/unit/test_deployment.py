"""deploy/*.service: systemd accepts each unit, it runs a command we have, and it
raises the open-file limit the servers size their connection caps by."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from gridreseller.cli import app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Each unit and the gridreseller command it runs.
UNITS = {"gridreseller.service": "serve", "gridreseller-smtp.service": "smtp"}
INSTALLED = "/opt/gridreseller/.venv/bin/gridreseller"


def _exec_start(unit: Path) -> list[str]:
    lines = [line for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1
    return shlex.split(lines[0].removeprefix("ExecStart="))


@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path, name: str) -> None:
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package; .ci/run has it)")
    # The unit names the documented install path; here the command is this venv's.
    here = Path(sys.executable).with_name("gridreseller")
    assert here.exists()
    unit = tmp_path / name
    unit.write_text((DEPLOY / name).read_text().replace(INSTALLED, str(here)))
    result = subprocess.run(
        [verify, "verify", "--man=no", str(unit)], capture_output=True, text=True, check=False
    )
    # Unknown keys and other mistakes are warnings with exit status 0: none may appear.
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(("name", "subcommand"), UNITS.items())
def test_exec_start_uses_only_options_its_command_has(name: str, subcommand: str) -> None:
    program, command, *arguments = _exec_start(DEPLOY / name)
    assert (program, command) == (INSTALLED, subcommand)
    runs = typer.main.get_command(app).commands[subcommand]  # type: ignore[attr-defined]
    known = {option for parameter in runs.params for option in parameter.opts}
    given = [argument for argument in arguments if argument.startswith("--")]
    assert given
    assert set(given) <= known


@pytest.mark.parametrize("name", UNITS)
def test_the_open_file_limit_is_raised_past_systemds_default(name: str) -> None:
    limits = [
        line.removeprefix("LimitNOFILE=")
        for line in (DEPLOY / name).read_text().splitlines()
        if line.startswith("LimitNOFILE=")
    ]
    assert len(limits) == 1 and int(limits[0]) > 1024
