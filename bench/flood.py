"""What a brute-force flood of failed logins costs the database writer.

    python3 bench/flood.py [--duration 10] [--database-url URL]

Starts two `gridreseller serve` processes, A and B, on one fresh SQLite database (or
the empty database given), on their default settings (argon2id m=19 MiB t=2, the
default throttle), trusting X-Forwarded-For from 127.0.0.1 so that one wrk plays
many attackers. It times ordinary writes on A (disable/enable of one customer, 4
connections) alone, and again while wrk floods a login:

- unique:    a new username from a random address in 198.18.0.0/15 (the benchmark
             range, 512 networks) every time: each attempt is hashed, counted in the
             shared throttle and audited (one write transaction each);
- throttled: one username, locked after its 30 failures, from random addresses:
             each attempt is a 429 without a hash or a write; they are counted in
             memory and written as aggregated audit entries (identity/login_audit.py);
- hashing:   (the control) the right password of one login, on B, whose login cache
             is off: the CPU of one argon2 hash per attempt, and no write at all.

The floods hit A itself (one process, as most run it) and B (the same database from
another process, as with `--workers` or several hosts). On B, `unique` against
`hashing` is what the failures' writes cost A's writer beyond the CPU the hashes
take: on 2 cores, the hashes are the flood's real price.

It prints the writes' throughput and latency per phase, their ratio to the quiet
baseline, what the flood got through, and the rows it left. Figures are reported,
not asserted (docs/security.md records a run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import run as bench
from sqlalchemy import create_engine, text

FLOOD_CONNECTIONS = 32
WRITE_CONNECTIONS = 4
LEAD_SECONDS = 2  # the flood runs this long before and after the timed writes
# A real customer of the seed (bench/run.py), "@" form-encoded.
VICTIM = "login00%40example.com"

FLOOD_LUA = """local counter = 0
statuses = {{}}  -- a global: done() reads it from every thread
local threads = {{}}
local headers = {{["Content-Type"] = "{form}"}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
end

request = function()
  counter = counter + 1
  headers["X-Forwarded-For"] = {address}
  return wrk.format("{method}", nil, headers, {body})
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      io.write(string.format("status %d: %d\\n", status, n))
    end
  end
end
"""
ANY_ADDRESS = (
    'string.format("198.%d.%d.%d", 18 + math.random(0, 1), math.random(0, 255),'
    " math.random(1, 254))"
)
ONE_ADDRESS = '"198.18.0.1"'
GUESS = '"api_key=guess-" .. counter .. "&api_user=" .. '
UNIQUE_USER = '"flood-" .. counter .. "-" .. math.random(1, 1000000000) .. "%40example.com"'


@dataclass(frozen=True)
class Phase:
    name: str
    writes: bench.WrkResult
    flood_statuses: dict[int, int]
    flood_seconds: float
    rows: dict[str, int]


def flood_script(
    work: Path, name: str, body: str, address: str = ANY_ADDRESS, method: str = "POST"
) -> Path:
    """A wrk script sending `body` (a Lua expression) from `address`, counting statuses."""
    path = work / f"flood-{name}.lua"
    source = FLOOD_LUA.format(form=bench.FORM, address=address, method=method, body=body)
    path.write_text(source)
    return path


def start_flood(wrk: str, url: str, script: Path, seconds: int) -> subprocess.Popen[str]:
    command = [
        wrk,
        "--threads=1",
        f"--connections={FLOOD_CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={script}",
        url,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603


def flood_statuses(output: str) -> dict[int, int]:
    return {int(s): int(n) for s, n in re.findall(r"^status (\d+): (\d+)$", output, re.M)}


ROWS = {
    "failure rows": "SELECT count(*) FROM login_failures",
    "login.failed": "SELECT count(*) FROM audit_events WHERE action = 'login.failed'",
    "login.throttled": "SELECT count(*) FROM audit_events WHERE action = 'login.throttled'",
}


def row_counts(database_url: str) -> dict[str, int]:
    """The throttle's rows of failed logins, and the login entries of the audit trail."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return {
                name: int(connection.execute(text(q)).scalar() or 0) for name, q in ROWS.items()
            }
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Plan:
    name: str
    flood: str | None  # the script's name
    target: str | None  # the flooded URL


def measure_phase(
    wrk: str, write_url: str, scripts: dict[str, Path], plan: Plan, duration: int, database_url: str
) -> Phase:
    """Timed writes, with the planned flood (if any) running around them."""
    options = bench.Options(duration, WRITE_CONNECTIONS, 1, 0, 0)
    before = row_counts(database_url)
    flood = None
    if plan.flood is not None and plan.target is not None:
        flood = start_flood(wrk, plan.target, scripts[plan.flood], duration + 2 * LEAD_SECONDS)
        time.sleep(LEAD_SECONDS)
    writes = bench.run_wrk(wrk, write_url, scripts["write"], options, duration)
    statuses: dict[int, int] = {}
    if flood is not None:
        output, _ = flood.communicate(timeout=duration + 60)
        statuses = flood_statuses(output)
    after = row_counts(database_url)
    seconds = duration + 2 * LEAD_SECONDS if flood is not None else 0
    rows = {name: after[name] - before[name] for name in ROWS}
    return Phase(plan.name, writes, statuses, seconds, rows)


def print_report(phases: list[Phase], database: str) -> None:
    print(f"\ndatabase: {database}; writes: disable/enable, {WRITE_CONNECTIONS} connections")
    print("ratio: writes/s against the mean of the quiet runs just before and after")
    print(f"{'phase':<16} {'writes/s':>9} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8}   flood")
    for index, phase in enumerate(phases):
        w = phase.writes
        ratio, flood = "", "-"
        if phase.flood_statuses:
            around = (phases[index - 1].writes, phases[index + 1].writes)
            quiet = sum(r.requests_per_second for r in around) / 2
            ratio = f"{w.requests_per_second / quiet:.2f}"
            total = sum(phase.flood_statuses.values())
            shown = ", ".join(f"{n} x {s}" for s, n in sorted(phase.flood_statuses.items()))
            rows = ", ".join(f"+{n} {name}" for name, n in phase.rows.items() if n)
            flood = f"{total / phase.flood_seconds:.0f} requests/s ({shown}); {rows or 'no rows'}"
        valid = "" if w.valid else f"  INVALID: {w.non_2xx} non-2xx, {w.socket_errors} errors"
        print(
            f"{phase.name:<16} {w.requests_per_second:>9.0f} {ratio:>6}"
            f" {w.p50_ms:>8.1f} {w.p99_ms:>8.1f}   {flood}{valid}"
        )


def plans(a: str, b: str) -> list[Plan]:
    """Each flood between two quiet runs: on a shared machine the baseline drifts, so a
    flood is compared with the quiet runs right before and after it."""
    login = "/api/distributor.packages.json"
    floods = [
        Plan("A: healthz", "healthz", a + "/healthz"),
        Plan("A: unique", "unique", a + login),
        Plan("A: throttled", "throttled", a + login),
        Plan("B: hashing", "hashing", b + "/api/credentials/get.json"),
        Plan("B: unique", "unique", b + login),
        Plan("B: throttled", "throttled", b + login),
    ]
    quiet = Plan("quiet", None, None)
    return [quiet] + [step for flood in floods for step in (flood, quiet)]


def scripts_in(work: Path) -> dict[str, Path]:
    scripts = bench.write_scripts(work)
    scripts["unique"] = flood_script(work, "unique", GUESS + UNIQUE_USER)
    scripts["throttled"] = flood_script(work, "throttled", GUESS + json.dumps(VICTIM))
    # The right password from one address: trusted after its first success, no writes.
    username, password = bench.login_users()[1]
    login = json.dumps(urlencode({"api_user": username, "api_key": password}))
    scripts["hashing"] = flood_script(work, "hashing", login, ONE_ADDRESS)
    scripts["healthz"] = flood_script(work, "healthz", "nil", ONE_ADDRESS, "GET")
    return scripts


def run(duration: int, database_url: str | None) -> list[Phase]:
    wrk = bench.ensure_wrk()
    with (
        tempfile.TemporaryDirectory(prefix="gridreseller-flood-") as temp,
        contextlib.ExitStack() as stack,
    ):
        work = Path(temp)
        database = database_url or f"sqlite:///{work / 'flood.db'}"
        bench.seed(database, 1000)
        command = [*bench.server_command(database), "--forwarded-allow-ips", "127.0.0.1"]
        a, _pid = bench.launch(stack, "a", command, work)
        b, _pid = bench.launch(stack, "b", command, work, {"GRIDRESELLER_LOGIN_CACHE_SIZE": "0"})
        with httpx.Client(base_url=a, timeout=30) as client:
            bench.add_api_customers(client)
        scripts = scripts_in(work)
        phases = []
        for plan in plans(a, b):
            print(f"  phase: {plan.name} ...", flush=True)
            write_url = f"{a}{bench.MANAGE_PATH}.json"
            phases.append(measure_phase(wrk, write_url, scripts, plan, duration, database))
        shown = re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", database)
        print_report(phases, shown if database_url else "SQLite (fresh file)")
        return phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=10, help="seconds of timed writes")
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    args = parser.parse_args()
    phases = run(args.duration, args.database_url)
    return 0 if all(phase.writes.valid for phase in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
