"""Read and write throughput: one profile read and one disable/enable toggle under wrk,
each against the minimal Starlette ceiling (bench/ceiling.py) measured before and after."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from seeding import READ_USER, WRITE_USER, auth
from wrk import FORM, Options, WrkResult, lua_string, measure, verdict

MANAGE_PATH = "/api/distributor.manage"
READ_TARGET = 0.37
WRITE_TARGET = 0.27

STATIC_LUA = """wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "{form}"
"""

TOGGLE_LUA = """local counter = 0
local headers = {{["Content-Type"] = "{form}"}}
request = function()
  counter = counter + 1
  local method = (counter % 2 == 1) and "disable" or "enable"
  return wrk.format("POST", nil, headers, {body} .. method)
end
"""


def read_body() -> str:
    return urlencode({**auth(), "method": "profile", "task": "get", "username": READ_USER})


def write_scripts(work: Path) -> dict[str, Path]:
    toggle_prefix = urlencode({**auth(), "user": WRITE_USER}) + "&method="
    scripts = {
        "read": STATIC_LUA.format(body=lua_string(read_body()), form=FORM),
        "write": TOGGLE_LUA.format(body=lua_string(toggle_prefix), form=FORM),
    }
    paths = {}
    for name, source in scripts.items():
        paths[name] = work / f"{name}.lua"
        paths[name].write_text(source)
    return paths


def throughput(
    wrk: str, urls: dict[str, str], scripts: dict[str, Path], options: Options
) -> tuple[dict[str, WrkResult], list[str]]:
    """Ceiling, read, write, ceiling again: the ceiling's mean cancels drift."""
    ceiling = urls["ceiling"] + f"{MANAGE_PATH}.json"
    server = urls["server"] + f"{MANAGE_PATH}.json"
    plan = [
        ("ceiling before", ceiling, scripts["read"]),
        ("read", server, scripts["read"]),
        ("write", server, scripts["write"]),
        ("ceiling after", ceiling, scripts["read"]),
    ]
    results: dict[str, WrkResult] = {}
    problems: list[str] = []
    for name, url, script in plan:
        print(f"  wrk: {name} ...", flush=True)
        result = measure(wrk, url, script, options)
        results[name] = result
        if not result.valid:
            problems.append(
                f"{name}: {result.non_2xx} non-2xx answers, {result.socket_errors} socket "
                f"errors in {result.requests} requests"
            )
    return results, problems


def print_throughput(runs: dict[str, WrkResult]) -> None:
    before, after = runs.get("ceiling before"), runs.get("ceiling after")
    if before is None or after is None:
        return
    ceiling = (before.requests_per_second + after.requests_per_second) / 2
    print()
    print(f"  {'POST (requests/s)':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}")
    for name in ("ceiling before", "ceiling after"):
        print(_row(f"ceiling ({name.split()[1]})", runs[name]))
    print(f"  {'ceiling (mean)':<34}{ceiling:>9.0f}")
    for name, label, target in (
        ("read", "read: profile get, one username", READ_TARGET),
        ("write", "write: disable/enable one user", WRITE_TARGET),
    ):
        ratio = runs[name].requests_per_second / ceiling
        goal = f"target >= {target}: {verdict(ratio >= target)}"
        print(f"{_row(label, runs[name])}{ratio:>8.2f}  {goal}")


def _row(label: str, result: WrkResult) -> str:
    return (
        f"  {label:<34}{result.requests_per_second:>9.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
    )
