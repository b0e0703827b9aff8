"""wrk, the load generator every throughput figure comes from: installed if missing,
run for a warm-up and a measured span, its output read into numbers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FORM = "application/x-www-form-urlencoded"
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


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


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def lua_string(text: str) -> str:
    """A Lua string literal for ASCII text (a JSON string is one)."""
    assert text.isascii()
    return json.dumps(text)


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
