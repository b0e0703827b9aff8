"""gridreseller's benchmark: the real server against a minimal Starlette ceiling.

    python3 bench/run.py [--duration 10] [--connections 16] [--customers 100000]

Seeds a fresh SQLite database, starts `gridreseller serve --workers 1` and the
ceiling app (bench/ceiling.py) side by side, loads both with wrk, streams the
whole customer list in JSON and XML, times first and cached logins, and prints
a report. Figures are reported, not asserted: the exit status is 1 only when a
run was invalid (a non-2xx answer, a socket error, a list with the wrong rows).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx
import mail_bench
import mail_send_bench
import uvicorn
import v3_bench
from sqlalchemy import Connection, create_engine, func, insert, select

from gridreseller.bootstrap import build_container
from gridreseller.config import ENV_PREFIX, Settings
from gridreseller.db.engine import WRITE_OPTION
from gridreseller.db.tables import CustomerProfile, Login, Package
from gridreseller.domain.models import LoginKind
from gridreseller.services import operator
from gridreseller.services.context import utc_now

BENCH_DIR = Path(__file__).resolve().parent
DISTRIBUTOR = "bench-distributor"
DISTRIBUTOR_PASSWORD = "bench-distributor-pass"  # noqa: S105 - a throwaway benchmark database
PACKAGE = "bench-basic"
SEEDED_PASSWORD = "seeded-customer-pass"  # noqa: S105
READ_USER = "bench-read@example.com"
WRITE_USER = "bench-write@example.com"
LOGIN_USERS = 15
MANAGE_PATH = "/api/distributor.manage"
FORM = "application/x-www-form-urlencoded"
SEED_BATCH = 10_000
READ_TARGET = 0.37
WRITE_TARGET = 0.27
LIST_SECONDS_TARGET = 1.0
LIST_MIB_TARGET = 64.0
# uvicorn's lines start with the level; gridreseller's with a timestamp, then the level.
LOG_PROBLEM = re.compile(r"^(?:\S+ \S+ )?(?:ERROR|WARNING|CRITICAL)\b")


# Options and results -------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    duration: int
    connections: int
    threads: int
    warmup: int
    customers: int


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def valid(self) -> bool:
        return self.requests > 0 and self.non_2xx == 0 and self.socket_errors == 0


@dataclass(frozen=True)
class ListResult:
    fmt: str
    status: int
    ttfb_s: float
    total_s: float
    size_bytes: int
    rows: int
    rss_before_mib: float
    rss_growth_mib: float


@dataclass
class Report:
    options: Options
    seed_seconds: float = 0.0
    load_before: float = field(default_factory=lambda: os.getloadavg()[0])
    hash_parameters: str = ""
    throughput: dict[str, WrkResult] = field(default_factory=dict)
    lists: list[ListResult] = field(default_factory=list)
    first_logins_ms: list[float] = field(default_factory=list)
    cached_logins_ms: list[float] = field(default_factory=list)
    mail: mail_bench.MailReport | None = None
    mail_send: mail_send_bench.MailSendReport | None = None
    keys: v3_bench.KeyLatencies | None = None
    problems: list[str] = field(default_factory=list)


# Seeding ---------------------------------------------------------------------------


def seed(database_url: str, customers: int) -> None:
    """Distributor and package through the operator's services, customers in bulk
    (all sharing one precomputed hash, so seeding takes seconds)."""
    container = build_container(Settings(database_url=database_url)).migrate()
    ctx = container.services
    try:
        operator.create_distributor(ctx, DISTRIBUTOR, DISTRIBUTOR_PASSWORD, "bench@example.com")
        operator.create_package(ctx, DISTRIBUTOR, operator.PackageSpec(name=PACKAGE))
        password_hash = ctx.passwords.hash(SEEDED_PASSWORD)
        writer = container.uow.engine.execution_options(**{WRITE_OPTION: True})
        with writer.begin() as connection:
            _insert_customers(connection, customers, password_hash)
    finally:
        container.close()


def hash_parameters(database_url: str, username: str) -> str:
    """The argon2 variant and cost stored for a login (never the salt or the hash)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                select(Login.password_hash).where(Login.username_key == username)
            ).scalar_one()
    finally:
        engine.dispose()
    return "$".join(stored.split("$")[1:4])


def _insert_customers(connection: Connection, customers: int, password_hash: str) -> None:
    distributor_id = connection.execute(
        select(Login.id).where(Login.username_key == DISTRIBUTOR)
    ).scalar_one()
    package_id = connection.execute(
        select(Package.id).where(Package.distributor_id == distributor_id)
    ).scalar_one()
    first_id = connection.execute(select(func.max(Login.id))).scalar_one() + 1
    for start in range(0, customers, SEED_BATCH):
        numbers = range(start + 1, min(start + SEED_BATCH, customers) + 1)
        ids = [first_id + n - 1 for n in numbers]
        logins = [
            _login_row(i, n, distributor_id, password_hash)
            for i, n in zip(ids, numbers, strict=True)
        ]
        connection.execute(insert(Login), logins)
        profiles = [_profile_row(i, n, package_id) for i, n in zip(ids, numbers, strict=True)]
        connection.execute(insert(CustomerProfile), profiles)


def _login_row(login_id: int, n: int, owner_id: int, password_hash: str) -> dict[str, Any]:
    username = f"c{n:06d}@example.com"
    now = utc_now()
    return {
        "id": login_id,
        "kind": LoginKind.CUSTOMER.value,
        "username": username,
        "username_key": username,
        "password_hash": password_hash,
        "owner_id": owner_id,
        "email": username,
        "active": True,
        "website_access": True,
        "perm_email": 0,
        "perm_web": 0,
        "perm_api": 0,
        "deleted_at": None,
        "created_at": now,
        "updated_at": now,
    }


def _profile_row(login_id: int, n: int, package_id: int) -> dict[str, Any]:
    return {
        "login_id": login_id,
        "first_name": f"First{n}",
        "last_name": "Customer",
        "address": f"{n} Main Street",
        "city": "Springfield",
        "state": "IL",
        "zip": "62701",
        "country": "US",
        "phone": "555-0100",
        "website": "example.com",
        "company": f"Company {n}",
        "whitelabel": "mail.example.com",
        "package_id": package_id,
        "free_user": False,
        "billing_date": None,
    }


# Processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_environment() -> dict[str, str]:
    """Our environment without GRIDRESELLER_*: the server runs on its defaults."""
    return {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}


def start(
    command: list[str], log_path: Path, settings: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The command on the defaults, but for the GRIDRESELLER_* `settings` given."""
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**clean_environment(), **(settings or {})},
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole process group, SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
            return


def spawn(
    stack: contextlib.ExitStack,
    command: list[str],
    log_path: Path,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a process in its own process group, stopped when `stack` closes."""
    process = start(command, log_path, env)
    stack.callback(stop, process)
    return process


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{base_url} exited with {process.returncode}:\n{tail}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{base_url}/healthz did not answer 200 within 60 s")


def launch(
    stack: contextlib.ExitStack,
    name: str,
    command: list[str],
    work: Path,
    settings: dict[str, str] | None = None,
) -> tuple[str, int]:
    """Start one server in its own process group (stopped on exit): base URL and pid."""
    port = free_port()
    log_path = work / f"{name}.log"
    process = spawn(stack, [*command, "--port", str(port)], log_path, settings)
    base_url = f"http://127.0.0.1:{port}"
    wait_healthy(base_url, process, log_path)
    return base_url, process.pid


def server_command(database_url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gridreseller",
        "serve",
        "--workers",
        "1",
        "--database-url",
        database_url,
    ]


def ceiling_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(BENCH_DIR),
        "ceiling:app",
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


# API calls -------------------------------------------------------------------------


def auth() -> dict[str, str]:
    return {"api_user": DISTRIBUTOR, "api_key": DISTRIBUTOR_PASSWORD}


def customer_form(username: str, password: str) -> dict[str, str]:
    return {
        **auth(),
        "username": username,
        "password": password,
        "confirm_password": password,
        "email": username,
        "first_name": "Bench",
        "last_name": "Customer",
        "address": "1 Main Street",
        "city": "Springfield",
        "state": "IL",
        "zip": "62701",
        "country": "US",
        "phone": "555-0100",
        "website": "example.com",
        "company": "Bench Co",
        "package": PACKAGE,
        "whitelabel": "mail.example.com",
    }


def login_users() -> list[tuple[str, str]]:
    return [(f"login{n:02d}@example.com", f"login-pass-{n:02d}") for n in range(LOGIN_USERS)]


def add_api_customers(client: httpx.Client) -> None:
    """The read, write and login customers, through distributor.add."""
    users = [(READ_USER, "read-pass"), (WRITE_USER, "write-pass"), *login_users()]
    for username, password in users:
        response = client.post("/api/distributor.add.json", data=customer_form(username, password))
        if response.status_code != 200:
            raise RuntimeError(f"distributor.add {username}: {response.status_code}")


# wrk -------------------------------------------------------------------------------

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


def lua_string(text: str) -> str:
    """A Lua string literal for ASCII text (a JSON string is one)."""
    assert text.isascii()
    return json.dumps(text)


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


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise RuntimeError("wrk is not installed and apt-get is not available")
    subprocess.run([apt_get, "update"], check=True)  # noqa: S603
    subprocess.run([apt_get, "install", "-y", "wrk"], check=True)  # noqa: S603
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("apt-get install wrk did not provide wrk")
    return found


def run_wrk(wrk: str, url: str, script: Path, options: Options, seconds: int) -> WrkResult:
    command = [
        wrk,
        f"--threads={options.threads}",
        f"--connections={options.connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        url,
    ]
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> WrkResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        p50_ms=_percentile_ms(output, "50"),
        p99_ms=_percentile_ms(output, "99"),
    )


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _percentile_ms(output: str, percent: str) -> float:
    found = re.search(rf"^\s+{percent}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    return float(found.group(1)) * _UNIT_MS[found.group(2)] if found else float("nan")


def measure(wrk: str, url: str, script: Path, options: Options) -> WrkResult:
    """A short warm-up (its errors count too), then the measured run."""
    if options.warmup:
        warm = run_wrk(wrk, url, script, options, options.warmup)
        if not warm.valid:
            return warm
    return run_wrk(wrk, url, script, options, options.duration)


# Lists and memory ------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssSampler:
    """Peak VmRSS of one process, sampled every `interval` seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = rss_kib(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, rss_kib(self.pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            self._stop.wait(self.interval)


def stream_list(client: httpx.Client, fmt: str, pid: int) -> tuple[ListResult, bytes]:
    """One whole-list POST: time to first body byte, total time, RSS peak growth."""
    data = {**auth(), "method": "profile", "task": "get"}
    before = rss_kib(pid)
    chunks: list[bytes] = []
    with RssSampler(pid) as sampler:
        started = time.perf_counter()
        first = 0.0
        with client.stream("POST", f"{MANAGE_PATH}.{fmt}", data=data) as response:
            for chunk in response.iter_raw():
                first = first or time.perf_counter()
                chunks.append(chunk)
        total = time.perf_counter() - started
    body = b"".join(chunks)
    result = ListResult(
        fmt=fmt,
        status=response.status_code,
        ttfb_s=(first or time.perf_counter()) - started,
        total_s=total,
        size_bytes=len(body),
        rows=0,
        rss_before_mib=before / 1024,
        rss_growth_mib=(sampler.peak_kib - before) / 1024,
    )
    return result, body


def count_rows(fmt: str, body: bytes) -> int:
    """Rows in a whole list; raises if the document does not parse."""
    if fmt == "json":
        rows = json.loads(body)
        return len(rows) if isinstance(rows, list) else -1
    users = 0
    # Our own server's output on localhost, parsed only to check it is well-formed.
    for _event, element in ET.iterparse(io.BytesIO(body)):  # noqa: S314
        if element.tag == "user":
            users += 1
            element.clear()
    return users


def measure_lists(client: httpx.Client, pid: int, report: Report, expected: int) -> None:
    for fmt in ("json", "xml"):
        result, body = stream_list(client, fmt, pid)
        try:
            rows = count_rows(fmt, body)
        except (ValueError, ET.ParseError) as error:
            report.problems.append(f"{fmt} list does not parse: {error}")
            rows = -1
        del body
        report.lists.append(dataclasses.replace(result, rows=rows))
        if result.status != 200:
            report.problems.append(f"{fmt} list answered {result.status}")
        if rows != expected:
            report.problems.append(f"{fmt} list has {rows} rows, expected {expected}")


# Logins ----------------------------------------------------------------------------


def timed_credentials_get(client: httpx.Client, username: str, password: str) -> float:
    data = {"api_user": username, "api_key": password}
    started = time.perf_counter()
    response = client.post("/api/credentials/get.json", data=data)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"credentials/get as {username}: {response.status_code}")
    return elapsed


def measure_logins(client: httpx.Client, report: Report) -> None:
    """Each customer's first call runs argon2id; its second is answered from the cache."""
    for username, password in login_users():
        report.first_logins_ms.append(timed_credentials_get(client, username, password))
        report.cached_logins_ms.append(timed_credentials_get(client, username, password))


# The run ---------------------------------------------------------------------------


def throughput(wrk: str, urls: dict[str, str], scripts: dict[str, Path], report: Report) -> None:
    """Ceiling, read, write, ceiling again: the ceiling's mean cancels drift."""
    ceiling = urls["ceiling"] + f"{MANAGE_PATH}.json"
    server = urls["server"] + f"{MANAGE_PATH}.json"
    plan = [
        ("ceiling before", ceiling, scripts["read"]),
        ("read", server, scripts["read"]),
        ("write", server, scripts["write"]),
        ("ceiling after", ceiling, scripts["read"]),
    ]
    for name, url, script in plan:
        print(f"  wrk: {name} ...", flush=True)
        result = measure(wrk, url, script, report.options)
        report.throughput[name] = result
        if not result.valid:
            report.problems.append(
                f"{name}: {result.non_2xx} non-2xx answers, {result.socket_errors} socket "
                f"errors in {result.requests} requests"
            )


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
            server_url, server_pid = launch(stack, "server", server_command(database_url), work)
            ceiling_url, _ = launch(stack, "ceiling", ceiling_command(), work)
            urls = {"server": server_url, "ceiling": ceiling_url}
            client = stack.enter_context(httpx.Client(base_url=urls["server"], timeout=120))
            add_api_customers(client)
            report.hash_parameters = hash_parameters(database_url, login_users()[0][0])
            throughput(wrk, urls, write_scripts(work), report)
            print("  lists ...", flush=True)
            measure_lists(client, server_pid, report, options.customers + 2 + LOGIN_USERS)
            print("  logins ...", flush=True)
            measure_logins(client, report)
            report.keys = v3_bench.measure_keys(client, login_users())
            report.mail = run_mail(stack, work, database_url, wrk, urls["ceiling"], options)
            report.problems.extend(report.mail.problems)
            report.mail_send = run_mail_send(stack, work, database_url, wrk, options)
            report.problems.extend(report.mail_send.problems)
        report.problems.extend(log_problems(work))
    return report


def run_mail(
    stack: contextlib.ExitStack,
    work: Path,
    database_url: str,
    wrk: str,
    ceiling_url: str,
    options: Options,
) -> mail_bench.MailReport:
    """The mail surface's figures (bench/mail_bench.py) against this run's ceiling."""
    bench = mail_bench.Bench(
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
    logins = [f"c{n:06d}@example.com" for n in range(2, 2 + mail_bench.AUTH_LOGINS)]
    return mail_bench.run_mail(bench, stack, logins)


def run_mail_send(
    stack: contextlib.ExitStack, work: Path, database_url: str, wrk: str, options: Options
) -> mail_send_bench.MailSendReport:
    """mail.send's figure (bench/mail_send_bench.py) against its own ceiling."""
    bench = mail_bench.Bench(
        work=work,
        database_url=database_url,
        user="c000001@example.com",
        password=SEEDED_PASSWORD,
        launch=lambda stack, name, env: launch(
            stack, name, server_command(database_url), work, env
        ),
        spawn=spawn,
        measure=lambda url, script: measure(wrk, url, script, options),
        ceiling_url="",
        duration=options.duration,
        warmup=options.warmup,
    )

    def launch_ceiling(
        stack: contextlib.ExitStack, name: str, command: list[str], env: dict[str, str]
    ) -> str:
        return launch(stack, name, command, work, env)[0]

    return mail_send_bench.run_mail_send(bench, stack, launch_ceiling)


def log_problems(work: Path) -> list[str]:
    """Error and warning lines (and tracebacks) the servers logged during the run."""
    problems = []
    for name in ("server", "ceiling", "mail-server", "smtp", "mail-send-server", "mail-ceiling"):
        log = work / f"{name}.log"
        if not log.exists():
            continue
        for line in log.read_text(errors="replace").splitlines():
            if LOG_PROBLEM.search(line) or "Traceback" in line:
                problems.append(f"{name} logged: {line[:200]}")
    return problems[:20]


# Report ----------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


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


def print_throughput(report: Report) -> None:
    runs = report.throughput
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


def print_lists(report: Report) -> None:
    print()
    print(
        f"  whole customer list, one streamed POST (targets: < {LIST_SECONDS_TARGET:g} s, "
        f"RSS growth < {LIST_MIB_TARGET:g} MiB)"
    )
    for item in report.lists:
        ok = item.total_s < LIST_SECONDS_TARGET and item.rss_growth_mib < LIST_MIB_TARGET
        print(
            f"  {item.fmt.upper():<5} {item.rows} rows, {item.size_bytes / 1e6:.1f} MB: "
            f"first byte {item.ttfb_s * 1000:.0f} ms, total {item.total_s:.3f} s, "
            f"RSS {item.rss_before_mib:.0f} MiB + {item.rss_growth_mib:.1f} MiB peak  "
            f"{verdict(ok)}"
        )


def print_logins(report: Report) -> None:
    if not report.first_logins_ms:
        return
    first = statistics.median(report.first_logins_ms)
    cached = statistics.median(report.cached_logins_ms)
    print()
    print(f"  login: credentials/get as {len(report.first_logins_ms)} customers, each twice")
    print(f"  stored hashes: {report.hash_parameters}")
    print(f"  first call (uncached, argon2id): median {first:.1f} ms")
    print(f"  second call (login cache):       median {cached:.1f} ms")
    v3_bench.print_keys(report.keys)


def print_report(report: Report) -> None:
    print_header(report)
    print_throughput(report)
    print_lists(report)
    print_logins(report)
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
