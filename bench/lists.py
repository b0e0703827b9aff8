"""The whole customer list in one streamed POST, JSON then XML: time to the first byte,
total time, and how much the server's memory grows meanwhile."""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
from seeding import auth
from throughput import MANAGE_PATH
from wrk import verdict

LIST_SECONDS_TARGET = 1.0
LIST_MIB_TARGET = 64.0


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


def measure_lists(
    client: httpx.Client, pid: int, expected: int
) -> tuple[list[ListResult], list[str]]:
    """Both lists, and what was wrong with them (a status, rows missing, a parse error)."""
    results: list[ListResult] = []
    problems: list[str] = []
    for fmt in ("json", "xml"):
        result, body = stream_list(client, fmt, pid)
        try:
            rows = count_rows(fmt, body)
        except (ValueError, ET.ParseError) as error:
            problems.append(f"{fmt} list does not parse: {error}")
            rows = -1
        del body
        results.append(dataclasses.replace(result, rows=rows))
        if result.status != 200:
            problems.append(f"{fmt} list answered {result.status}")
        if rows != expected:
            problems.append(f"{fmt} list has {rows} rows, expected {expected}")
    return results, problems


def print_lists(lists: list[ListResult]) -> None:
    print()
    print(
        f"  whole customer list, one streamed POST (targets: < {LIST_SECONDS_TARGET:g} s, "
        f"RSS growth < {LIST_MIB_TARGET:g} MiB)"
    )
    for item in lists:
        ok = item.total_s < LIST_SECONDS_TARGET and item.rss_growth_mib < LIST_MIB_TARGET
        print(
            f"  {item.fmt.upper():<5} {item.rows} rows, {item.size_bytes / 1e6:.1f} MB: "
            f"first byte {item.ttfb_s * 1000:.0f} ms, total {item.total_s:.3f} s, "
            f"RSS {item.rss_before_mib:.0f} MiB + {item.rss_growth_mib:.1f} MiB peak  "
            f"{verdict(ok)}"
        )
