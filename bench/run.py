"""gridreseller's benchmark: the real server against a minimal Starlette ceiling.

    python3 bench/run.py [--duration 10] [--connections 16] [--customers 100000]

Seeds a fresh SQLite database, starts `gridreseller serve --workers 1` and the
ceiling app (bench/ceiling.py) side by side, loads both with wrk, streams the
whole customer list in JSON and XML, times first and cached logins, and prints
a report. Figures are reported, not asserted: the exit status is 1 only when a
run was invalid (a non-2xx answer, a socket error, a list with the wrong rows).

Each benchmark lives in a module of its own beside this one (throughput.py,
lists.py, logins.py, mail_bench.py, mail_send_bench.py, v3_bench.py), on the
seed of seeding.py and the processes of processes.py; this module runs them in
order and prints the report.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import mail_bench
import mail_send_bench
import uvicorn
import v3_bench
from lists import ListResult, measure_lists, print_lists
from logins import LoginTimes, measure_logins, print_logins
from processes import (
    LOG_PROBLEM,
    ceiling_command,
    clean_environment,
    free_port,
    launch,
    log_problems,
    server_command,
    spawn,
)
from seeding import (
    DISTRIBUTOR,
    DISTRIBUTOR_PASSWORD,
    LOGIN_USERS,
    SEEDED_PASSWORD,
    add_api_customers,
    hash_parameters,
    login_users,
    seed,
)
from throughput import MANAGE_PATH, print_throughput, throughput, write_scripts
from wrk import FORM, Options, WrkResult, ensure_wrk, measure, run_wrk

# What bench/ab.py, flood.py and dashboard.py (and another checkout's ab.py, which
# seeds with `run.seed`) take from this module.
__all__ = [
    "DISTRIBUTOR",
    "DISTRIBUTOR_PASSWORD",
    "FORM",
    "LOG_PROBLEM",
    "MANAGE_PATH",
    "SEEDED_PASSWORD",
    "Options",
    "WrkResult",
    "add_api_customers",
    "clean_environment",
    "ensure_wrk",
    "free_port",
    "launch",
    "log_problems",
    "login_users",
    "measure",
    "run_wrk",
    "seed",
    "server_command",
    "spawn",
    "write_scripts",
]


@dataclass
class Report:
    options: Options
    seed_seconds: float = 0.0
    load_before: float = field(default_factory=lambda: os.getloadavg()[0])
    throughput: dict[str, WrkResult] = field(default_factory=dict)
    lists: list[ListResult] = field(default_factory=list)
    logins: LoginTimes = field(default_factory=LoginTimes)
    mail: mail_bench.MailReport | None = None
    mail_send: mail_send_bench.MailSendReport | None = None
    keys: v3_bench.KeyLatencies | None = None
    problems: list[str] = field(default_factory=list)


def run(options: Options) -> Report:
    report = Report(options)
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="gridreseller-bench-") as temp:
        work = Path(temp)
        database_url = f"sqlite:///{work / 'bench.db'}"
        print(f"seeding {options.customers} customers ...", flush=True)
        started = time.perf_counter()
        seed(database_url, options.customers)
        report.seed_seconds = time.perf_counter() - started
        with contextlib.ExitStack() as stack:
            run_http(stack, work, database_url, wrk, report)
        report.problems.extend(log_problems(work))
    return report


def run_http(
    stack: contextlib.ExitStack, work: Path, database_url: str, wrk: str, report: Report
) -> None:
    """Every figure, one benchmark after the other, on the server and its ceiling."""
    options = report.options
    server_url, server_pid = launch(stack, "server", server_command(database_url), work)
    ceiling_url, _ = launch(stack, "ceiling", ceiling_command(), work)
    urls = {"server": server_url, "ceiling": ceiling_url}
    client = stack.enter_context(httpx.Client(base_url=urls["server"], timeout=120))
    add_api_customers(client)
    report.logins.hash_parameters = hash_parameters(database_url, login_users()[0][0])
    report.throughput, problems = throughput(wrk, urls, write_scripts(work), options)
    report.problems.extend(problems)
    print("  lists ...", flush=True)
    expected = options.customers + 2 + LOGIN_USERS
    report.lists, problems = measure_lists(client, server_pid, expected)
    report.problems.extend(problems)
    print("  logins ...", flush=True)
    measure_logins(client, report.logins)
    report.keys = v3_bench.measure_keys(client, login_users())
    report.mail = run_mail(stack, work, database_url, wrk, urls["ceiling"], options)
    report.problems.extend(report.mail.problems)
    report.mail_send = run_mail_send(stack, work, database_url, wrk, options)
    report.problems.extend(report.mail_send.problems)


def mail_bench_of(
    work: Path, database_url: str, wrk: str, ceiling_url: str, options: Options
) -> mail_bench.Bench:
    """What the mail benchmarks borrow from this run: its seed, servers and wrk."""
    return mail_bench.Bench(
        work=work,
        database_url=database_url,
        user="c000001@example.com",
        password=SEEDED_PASSWORD,
        launch=lambda stack, name, env: launch(
            stack, name, server_command(database_url), work, env
        ),
        spawn=spawn,
        measure=lambda url, script: measure(wrk, url, script, options),
        ceiling_url=ceiling_url,
        duration=options.duration,
        warmup=options.warmup,
    )


def run_mail(
    stack: contextlib.ExitStack,
    work: Path,
    database_url: str,
    wrk: str,
    ceiling_url: str,
    options: Options,
) -> mail_bench.MailReport:
    """The mail surface's figures (bench/mail_bench.py) against this run's ceiling."""
    bench = mail_bench_of(work, database_url, wrk, ceiling_url, options)
    logins = [f"c{n:06d}@example.com" for n in range(2, 2 + mail_bench.AUTH_LOGINS)]
    return mail_bench.run_mail(bench, stack, logins)


def run_mail_send(
    stack: contextlib.ExitStack, work: Path, database_url: str, wrk: str, options: Options
) -> mail_send_bench.MailSendReport:
    """mail.send's figure (bench/mail_send_bench.py) against its own ceiling."""
    bench = mail_bench_of(work, database_url, wrk, "", options)

    def launch_ceiling(
        stack: contextlib.ExitStack, name: str, command: list[str], env: dict[str, str]
    ) -> str:
        return launch(stack, name, command, work, env)[0]

    return mail_send_bench.run_mail_send(bench, stack, launch_ceiling)


# Report ----------------------------------------------------------------------------


def server_stack() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn {uvicorn.__version__} ({loop}, {http})"


def print_header(report: Report) -> None:
    o = report.options
    print()
    print("gridreseller benchmark")
    load = f"load average {report.load_before:.2f} at start, {os.getloadavg()[0]:.2f} at end"
    print(f"  cores (os.cpu_count): {os.cpu_count()}; {load}")
    print(f"  Python {sys.version.split()[0]}, {server_stack()}, one worker process each")
    print(
        f"  wrk: {o.threads} thread(s), {o.connections} connections, {o.duration} s per run "
        f"(after a {o.warmup} s warm-up)"
    )
    print(f"  database: SQLite, {o.customers} seeded customers ({report.seed_seconds:.1f} s)")


def print_report(report: Report) -> None:
    print_header(report)
    print_throughput(report.throughput)
    print_lists(report.lists)
    if report.logins.first_ms:
        print_logins(report.logins)
        v3_bench.print_keys(report.keys)
    if report.mail is not None:
        mail_bench.print_mail(report.mail)
    if report.mail_send is not None:
        mail_send_bench.print_mail_send(report.mail_send)
    print()
    if report.problems:
        print("  INVALID RUN:")
        for problem in report.problems:
            print(f"    - {problem}")
    else:
        print("  valid run: every answer 2xx, no socket errors, both lists complete,")
        print("  no error or warning in either server's log")


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per wrk run")
    parser.add_argument("--customers", type=int, default=100_000, help="customers to seed")
    args = parser.parse_args(argv)
    return Options(args.duration, args.connections, args.threads, args.warmup, args.customers)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the ExitStack: both servers are stopped


def main() -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    report = run(parse_options())
    print_report(report)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
