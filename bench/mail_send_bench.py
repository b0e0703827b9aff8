"""mail.send's figure for bench/run.py (docs/performance.md): messages per second through
`serve` (one recipient, 1 KiB of text, relayed to an aiosmtpd sink), as a ratio of a
ceiling measured in the same run (bench/mail_ceiling.py: the same form parsed, the same
message built and relayed to the same sink over kept connections, with no login and no
database). Reported, not asserted: a run is invalid only when an answer was not 2xx.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import mail_bench

TARGET = 0.50
TEXT_BYTES = 1024
PATH = "/api/mail.send.json"
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "{body}"
"""


@dataclass
class MailSendReport:
    runs: dict[str, Any] = field(default_factory=dict)  # name -> WrkResult
    problems: list[str] = field(default_factory=list)


def form(user: str, password: str) -> str:
    """One message: one recipient, a subject, 1 KiB of text."""
    text = ("x" * 75 + "\n") * (TEXT_BYTES // 76)
    return urlencode(
        {
            "api_user": user,
            "api_key": password,
            "to[]": "sink@example.com",
            "from": "bench@example.com",
            "subject": "bench",
            "text": text,
        }
    )


def ceiling_command(sink_port: int) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent)]
    command += ["mail_ceiling:app", "--workers", "1", "--no-access-log", "--log-level", "warning"]
    return command, {"BENCH_SINK_PORT": str(sink_port)}


def run_mail_send(
    bench: mail_bench.Bench,
    stack: contextlib.ExitStack,
    launch_ceiling: Any,
) -> MailSendReport:
    """Ceiling, serve, ceiling again (the mean cancels drift), all to one sink."""
    report = MailSendReport()
    sink_port = mail_bench.free_port()
    sink = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    mail_bench.launch_smtp(
        bench, stack, "mail-send-sink", [*sink, "-l", f"127.0.0.1:{sink_port}"], sink_port
    )
    relay = {"GRIDRESELLER_RELAY": f"127.0.0.1:{sink_port}"}
    server_url, _ = bench.launch(stack, "mail-send-server", relay)
    command, env = ceiling_command(sink_port)
    ceiling_url = launch_ceiling(stack, "mail-ceiling", command, env)
    script = bench.work / "mail_send.lua"
    script.write_text(LUA.format(body=form(bench.user, bench.password)))
    plan = [
        ("ceiling before", ceiling_url),
        ("mail.send", server_url),
        ("ceiling after", ceiling_url),
    ]
    for name, url in plan:
        print(f"  wrk: {name} POST {PATH} ...", flush=True)
        result = bench.measure(url + PATH, script)
        report.runs[name] = result
        if not result.valid:
            report.problems.append(
                f"{name}: {result.non_2xx} non-2xx, {result.socket_errors} errors"
            )
    return report


def print_mail_send(report: MailSendReport) -> None:
    runs = report.runs
    if not {"ceiling before", "mail.send", "ceiling after"} <= set(runs):
        return
    ceiling = (
        runs["ceiling before"].requests_per_second + runs["ceiling after"].requests_per_second
    ) / 2
    sent = runs["mail.send"]
    ratio = sent.requests_per_second / ceiling
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print(
        f"  POST /api/mail.send, 1 recipient, {TEXT_BYTES} B of text: "
        f"{sent.requests_per_second:.0f} msg/s (p50 {sent.p50_ms:.2f} ms, p99 "
        f"{sent.p99_ms:.2f} ms); ceiling (mean) {ceiling:.0f} msg/s; ratio {ratio:.2f}  "
        f"target >= {TARGET}: {verdict}"
    )
