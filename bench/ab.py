"""A/B: this checkout's `serve` against another checkout's, in one process tree.

The machines these run on are shared and their speed drifts by a fifth between
runs, so a figure is only worth its ratio against a baseline measured at the same
time: both servers run side by side, each on its own SQLite database seeded by its
own code, and wrk alternates between them (read, then write), several rounds each.
Beside each run's requests per second, the server's CPU time per request is read
from /proc: a saturated server's throughput is its inverse, and it is the figure
least moved by what else the machine is doing (wrk itself shares the two cores).

    .venv/bin/python bench/ab.py --before /path/to/other/checkout [--rounds 5]
    .venv/bin/python bench/ab.py --before /path/to/other/checkout --smtp-only

`--smtp-only` skips the HTTP rounds (each database is seeded, with fewer customers,
only for `gridreseller smtp`'s login).

`--before` is a checkout with its own virtual environment in `.venv` (for example a
`git worktree` of the previous release, set up with `scripts/serve.sh` once).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mail_bench  # the mail benchmark's helpers, beside this file
import run as bench

# Each run's figure, by checkout ("before"/"after") and kind ("read"/"write").
Figures = dict[tuple[str, str], list[float]]
# Logins seeded when only `gridreseller smtp` runs (it signs in as the first one).
SMTP_CUSTOMERS = 10


def seed_with(python: Path, checkout: Path, database_url: str, customers: int) -> None:
    """Seed with the checkout's own code (its schema is its own migrations')."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import run; "
        "run.seed(sys.argv[2], int(sys.argv[3]))"
    )
    subprocess.run(  # noqa: S603 - our own interpreters and arguments
        [str(python), "-c", code, str(checkout / "bench"), database_url, str(customers)],
        check=True,
        env=bench.clean_environment(),
    )


def start_server(
    stack: contextlib.ExitStack, name: str, python: Path, work: Path, customers: int
) -> tuple[str, int]:
    """The checkout's `serve` (one process) on its own seeded database: URL and pid."""
    checkout = python.parent.parent.parent
    database_url = f"sqlite:///{work / (name + '.db')}"
    seed_with(python, checkout, database_url, customers)
    command = [str(python), "-m", "gridreseller", "serve", "--workers", "1"]
    url, pid = bench.launch(stack, name, [*command, "--database-url", database_url], work)
    with httpx.Client(base_url=url, timeout=120) as client:
        bench.add_api_customers(client)
    return url + f"{bench.MANAGE_PATH}.json", pid


def cpu_seconds(pid: int) -> float:
    """The CPU time, user and system, a process has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_smtp(
    stack: contextlib.ExitStack, name: str, python: Path, work: Path, sink_port: int
) -> int:
    """`gridreseller smtp` of that checkout on its own database, relaying to the sink."""
    port = mail_bench.free_port()
    command = [str(python), "-m", "gridreseller", "smtp", "--relay", f"127.0.0.1:{sink_port}"]
    command += ["--port", str(port), "--database-url", f"sqlite:///{work / (name + '.db')}"]
    log = work / f"{name}-smtp.log"
    mail_bench.wait_for_smtp(port, bench.spawn(stack, command, log), log)
    return port


def smtp_rounds(
    stack: contextlib.ExitStack, pythons: dict[str, Path], work: Path, args: argparse.Namespace
) -> dict[str, list[float]]:
    """Messages per second through each checkout's `gridreseller smtp` (STARTTLS, AUTH
    once, 4 sessions) to one aiosmtpd sink, alternating."""
    sink_port = mail_bench.free_port()
    sink = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    sink_log = work / "sink.log"
    sink_command = [*sink, "-l", f"127.0.0.1:{sink_port}"]
    mail_bench.wait_for_smtp(sink_port, bench.spawn(stack, sink_command, sink_log), sink_log)
    ports = {name: start_smtp(stack, name, py, work, sink_port) for name, py in pythons.items()}
    login = ("c000001@example.com", bench.SEEDED_PASSWORD)
    rates: dict[str, list[float]] = {}
    for round_number in range(args.rounds):
        for name in ("before", "after") if round_number % 2 == 0 else ("after", "before"):
            rate = mail_bench.messages_per_second(
                ports[name], True, login, mail_bench.SMTP_CLIENTS, args.duration, 1.0
            )
            rates.setdefault(name, []).append(rate)
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--smtp-only", action="store_true", help="the SMTP rounds only")
    args = parser.parse_args()
    pythons = {
        "before": args.before.resolve() / ".venv" / "bin" / "python",
        "after": Path(sys.executable),
    }
    rates: dict[tuple[str, str], list[float]] = {}
    costs: dict[tuple[str, str], list[float]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="gridreseller-ab-") as temp,
        contextlib.ExitStack() as stack,
    ):
        work = Path(temp)
        if args.smtp_only:
            for name, python in pythons.items():
                checkout = python.parent.parent.parent
                seed_with(python, checkout, f"sqlite:///{work / (name + '.db')}", SMTP_CUSTOMERS)
        elif not http_rounds(stack, pythons, work, args, (rates, costs)):
            return 1
        smtp = smtp_rounds(stack, pythons, work, args)
        for line in bench.log_problems(work) + smtp_problems(work):
            print(f"log: {line}")
    for kind in ("read", "write") if rates else ():
        report(kind, rates[("before", kind)], rates[("after", kind)], "req/s")
        report(f"{kind} CPU", costs[("before", kind)], costs[("after", kind)], "µs/request")
    report("smtp", smtp["before"], smtp["after"], "msg/s")
    return 0


def report(kind: str, before: list[float], after: list[float], unit: str) -> None:
    """The ratio of the medians, each round's ratio, and the median of those: a round's
    two runs are back to back, so its ratio is the least touched by the machine's drift."""
    ratios = [a / b for a, b in zip(after, before, strict=True)]
    middle_before, middle_after = statistics.median(before), statistics.median(after)
    print(
        f"{kind}: after / before = {middle_after / middle_before:.2f} ({middle_after:,.0f} /"
        f" {middle_before:,.0f} {unit}, medians of {len(ratios)} alternating rounds);"
        f" median of each round's ratio {statistics.median(ratios):.2f}"
    )
    print(f"{kind}: each round's after / before: {', '.join(f'{r:.2f}' for r in ratios)}")


def http_rounds(
    stack: contextlib.ExitStack,
    pythons: dict[str, Path],
    work: Path,
    args: argparse.Namespace,
    figures: tuple[Figures, Figures],
) -> bool:
    """Requests per second of each checkout's `serve`, read then write, alternating, and
    the server's CPU time per request (what its throughput is once it is saturated: the
    least touched by what else the machine runs); False when a run was invalid."""
    rates, costs = figures
    options = bench.Options(args.duration, 16, 1, 1, args.customers)
    wrk = bench.ensure_wrk()
    servers = {
        name: start_server(stack, name, py, work, args.customers) for name, py in pythons.items()
    }
    scripts = bench.write_scripts(work)
    for round_number in range(args.rounds):
        for kind in ("read", "write"):
            for name in ("before", "after") if round_number % 2 == 0 else ("after", "before"):
                url, pid = servers[name]
                warm = bench.run_wrk(wrk, url, scripts[kind], options, options.warmup)
                used = cpu_seconds(pid)
                result = bench.run_wrk(wrk, url, scripts[kind], options, options.duration)
                used = cpu_seconds(pid) - used
                if not (warm.valid and result.valid):
                    print(f"{name} {kind}: invalid run ({result})", file=sys.stderr)
                    return False
                rates.setdefault((name, kind), []).append(result.requests_per_second)
                costs.setdefault((name, kind), []).append(used / result.requests * 1e6)
    return True


def smtp_problems(work: Path) -> list[str]:
    """Error and warning lines (and tracebacks) the SMTP servers logged."""
    problems = []
    for log in sorted(work.glob("*-smtp.log")):
        for line in log.read_text(errors="replace").splitlines():
            if bench.LOG_PROBLEM.search(line) or "Traceback" in line:
                problems.append(f"{log.stem} logged: {line[:200]}")
    return problems[:20]


if __name__ == "__main__":
    raise SystemExit(main())
