"""The mail surface's figures for bench/run.py (docs/performance.md, "Mail"):

- `/auth/mail` cached decisions per second, as a ratio of the ceiling app;
- messages per second through `gridreseller smtp` (STARTTLS session reused, one
  recipient, 2 KiB), as a ratio of the same client sending straight to the same
  aiosmtpd sink;
- the first AUTH of a login (argon2id) and a later one (login cache), median ms.

Reported, not asserted: a run is invalid only when an answer was not the expected one.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gridreseller.mail.tls import self_signed_pair

AUTH_TARGET = 0.35
SMTP_TARGET = 0.40
SECRET = "bench-mail-secret"  # noqa: S105 - a throwaway benchmark server
MESSAGE_BYTES = 2048
AUTH_LOGINS = 15
PATH = "/auth/mail"

AUTH_LUA = """wrk.method = "GET"
wrk.headers["X-Gridreseller-Secret"] = "{secret}"
wrk.headers["Auth-Method"] = "plain"
wrk.headers["Auth-User"] = "{user}"
wrk.headers["Auth-Pass"] = "{password}"
wrk.headers["Auth-Protocol"] = "smtp"
wrk.headers["Auth-Login-Attempt"] = "1"
wrk.headers["Client-IP"] = "127.0.0.1"
"""


@dataclass
class MailReport:
    auth_http: dict[str, Any] = field(default_factory=dict)  # name -> WrkResult
    direct_per_second: float = 0.0  # the same client, STARTTLS too, straight to the sink
    plain_per_second: float = 0.0  # the same client without TLS, straight to the sink
    relayed_per_second: float = 0.0
    clients: int = 0
    first_auth_ms: list[float] = field(default_factory=list)
    cached_auth_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Bench:
    """What bench/run.py lends: its seeded database, its helpers, its options."""

    work: Path
    database_url: str
    user: str
    password: str
    launch: Callable[..., tuple[str, int]]
    spawn: Callable[[contextlib.ExitStack, list[str], Path], subprocess.Popen[bytes]]
    measure: Callable[[str, Path], Any]
    ceiling_url: str
    duration: int
    warmup: int


# /auth/mail ------------------------------------------------------------------------


def auth_environment(upstream_port: int) -> dict[str, str]:
    return {
        "GRIDRESELLER_MAIL_AUTH_SECRET": SECRET,
        "GRIDRESELLER_MAIL_UPSTREAM": f"127.0.0.1:{upstream_port}",
    }


def check_auth_answer(url: str, bench: Bench) -> str | None:
    """The decision wrk will repeat must be a success, or the figure means nothing."""
    headers = {
        "X-Gridreseller-Secret": SECRET,
        "Auth-Method": "plain",
        "Auth-User": bench.user,
        "Auth-Pass": bench.password,
        "Auth-Protocol": "smtp",
        "Auth-Login-Attempt": "1",
        "Client-IP": "127.0.0.1",
    }
    status = httpx.get(url + PATH, headers=headers, timeout=60).headers.get("auth-status")
    return None if status == "OK" else f"/auth/mail answered Auth-Status {status!r}"


def measure_auth_http(bench: Bench, server_url: str, report: MailReport) -> None:
    """Ceiling, /auth/mail, ceiling again (the mean cancels drift)."""
    script = bench.work / "auth_mail.lua"
    script.write_text(AUTH_LUA.format(secret=SECRET, user=bench.user, password=bench.password))
    problem = check_auth_answer(server_url, bench)
    if problem:
        report.problems.append(problem)
        return
    plan = [
        ("ceiling before", bench.ceiling_url),
        ("auth_http", server_url),
        ("ceiling after", bench.ceiling_url),
    ]
    for name, url in plan:
        print(f"  wrk: {name} GET {PATH} ...", flush=True)
        result = bench.measure(url + PATH, script)
        report.auth_http[name] = result
        if not result.valid:
            report.problems.append(
                f"{name}: {result.non_2xx} non-2xx, {result.socket_errors} errors"
            )


# SMTP ------------------------------------------------------------------------------


def message() -> bytes:
    head = b"From: bench@example.com\r\nTo: sink@example.com\r\nSubject: bench\r\n\r\n"
    line = b"x" * 76 + b"\r\n"
    return head + line * ((MESSAGE_BYTES - len(head)) // len(line))


def unverified_tls() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def wait_for_smtp(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.name} exited:\n{log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open within 60 s")


def launch_smtp(
    bench: Bench, stack: contextlib.ExitStack, name: str, command: list[str], port: int
) -> None:
    log = bench.work / f"{name}.log"
    wait_for_smtp(port, bench.spawn(stack, command, log), log)


def session(port: int, tls: bool, login: tuple[str, str] | None) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=60)
    client.ehlo("bench.example")
    if tls:
        client.starttls(context=unverified_tls())
        client.ehlo("bench.example")
    if login:
        client.login(*login)
    return client


def messages_per_second(
    port: int,
    tls: bool,
    login: tuple[str, str] | None,
    clients: int,
    seconds: float,
    warmup: float,
) -> float:
    """`clients` sessions, each sending one message after another: messages per second
    over `seconds`, after `warmup`."""
    body = message()
    counted = [0] * clients
    errors: list[str] = []
    start = time.monotonic() + warmup
    end = start + seconds

    def run(index: int) -> None:
        try:
            with session(port, tls, login) as client:
                while (now := time.monotonic()) < end:
                    refused = client.sendmail("bench@example.com", ["sink@example.com"], body)
                    if refused:
                        errors.append(str(refused))
                    if now >= start:
                        counted[index] += 1
        except (smtplib.SMTPException, OSError) as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return sum(counted) / seconds


def timed_auth(port: int, user: str, password: str) -> float:
    with session(port, True, None) as client:
        started = time.perf_counter()
        client.login(user, password)
        return (time.perf_counter() - started) * 1000


def measure_smtp(
    bench: Bench, stack: contextlib.ExitStack, logins: list[str], report: MailReport
) -> None:
    sink_port, smtp_port = free_port(), free_port()
    cert, key = self_signed_pair("127.0.0.1")
    (bench.work / "sink-cert.pem").write_bytes(cert)
    (bench.work / "sink-key.pem").write_bytes(key)
    # The sink offers STARTTLS (for the direct runs) but does not require it (the relay).
    sink = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    sink += ["--tlscert", str(bench.work / "sink-cert.pem")]
    sink += ["--tlskey", str(bench.work / "sink-key.pem"), "--no-requiretls"]
    launch_smtp(bench, stack, "sink", [*sink, "-l", f"127.0.0.1:{sink_port}"], sink_port)
    smtp = [sys.executable, "-m", "gridreseller", "smtp", "--relay", f"127.0.0.1:{sink_port}"]
    smtp += ["--port", str(smtp_port), "--database-url", bench.database_url]
    launch_smtp(bench, stack, "smtp", smtp, smtp_port)
    print("  smtp: first and later AUTH ...", flush=True)
    for user in logins:
        report.first_auth_ms.append(timed_auth(smtp_port, user, bench.password))
        report.cached_auth_ms.append(timed_auth(smtp_port, user, bench.password))
    report.clients = n = SMTP_CLIENTS
    seconds, warmup = bench.duration, bench.warmup
    login = (logins[0], bench.password)
    print(f"  smtp: {n} sessions straight to the sink (STARTTLS, then plain) ...", flush=True)
    report.direct_per_second = messages_per_second(sink_port, True, None, n, seconds, warmup)
    report.plain_per_second = messages_per_second(sink_port, False, None, n, seconds, warmup)
    print(f"  smtp: {n} sessions through gridreseller smtp ...", flush=True)
    report.relayed_per_second = messages_per_second(smtp_port, True, login, n, seconds, warmup)


SMTP_CLIENTS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_mail(bench: Bench, stack: contextlib.ExitStack, logins: list[str]) -> MailReport:
    """Both mail figures, on the servers of this run."""
    report = MailReport()
    upstream = free_port()  # /auth/mail only names it; nothing connects there
    server_url, _ = bench.launch(stack, "mail-server", auth_environment(upstream))
    measure_auth_http(bench, server_url, report)
    try:
        measure_smtp(bench, stack, logins, report)
    except RuntimeError as error:
        report.problems.append(f"smtp: {error}")
    return report


# Report ----------------------------------------------------------------------------


def print_mail(report: MailReport) -> None:
    print()
    print("  mail")
    runs = report.auth_http
    if {"ceiling before", "auth_http", "ceiling after"} <= set(runs):
        ceiling = (
            runs["ceiling before"].requests_per_second + runs["ceiling after"].requests_per_second
        ) / 2
        decided = runs["auth_http"]
        ratio = decided.requests_per_second / ceiling
        verdict = "PASS" if ratio >= AUTH_TARGET else "FAIL"
        print(
            f"  GET /auth/mail, cached decision: {decided.requests_per_second:.0f} req/s "
            f"(p50 {decided.p50_ms:.2f} ms, p99 {decided.p99_ms:.2f} ms); ceiling (mean) "
            f"{ceiling:.0f} req/s; ratio {ratio:.2f}  target >= {AUTH_TARGET}: {verdict}"
        )
    if report.direct_per_second and report.plain_per_second and report.relayed_per_second:
        relayed = report.relayed_per_second
        ratio = relayed / report.direct_per_second
        verdict = "PASS" if ratio >= SMTP_TARGET else "FAIL"
        print(
            f"  SMTP, {report.clients} sessions reused, 1 recipient, {MESSAGE_BYTES} B: "
            f"straight to the sink over STARTTLS {report.direct_per_second:.0f} msg/s, "
            f"in plain text {report.plain_per_second:.0f} msg/s"
        )
        print(
            f"  through gridreseller smtp (STARTTLS, AUTH once): {relayed:.0f} msg/s; "
            f"ratio {ratio:.2f}  target >= {SMTP_TARGET}: {verdict}; against plain text "
            f"{relayed / report.plain_per_second:.2f}"
        )
    if report.first_auth_ms:
        print(
            f"  SMTP AUTH of {len(report.first_auth_ms)} logins: first (argon2id) median "
            f"{statistics.median(report.first_auth_ms):.1f} ms, later (login cache) median "
            f"{statistics.median(report.cached_auth_ms):.1f} ms"
        )
