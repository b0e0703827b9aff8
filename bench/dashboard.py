"""How fast the dashboard's customer list renders for a distributor with many customers.

    python3 bench/dashboard.py [--customers 100000] [--database-url URL] [--repeat 7] [--json]

Seeds a fresh database (a SQLite file unless --database-url names an empty one) as
bench/run.py does, starts `gridreseller serve` on it, logs in through the login form,
and times whole page loads (request sent to last byte read) of /dashboard/customers:
the first and the last page in username order (the last also backwards), the whole
list sorted by other columns, the substring search finding one customer, a hundred,
none or every one, and the `active` filter matching none. Prints the median and the
slowest of each (tests/web/test_scale.py runs it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

# bench/ is the script's directory, so its sibling imports as `run`.
from run import DISTRIBUTOR, DISTRIBUTOR_PASSWORD, launch, seed, server_command
from sqlalchemy import create_engine, text

from gridreseller.db.engine import normalize_url

PAGES = {
    "first page": {},
    "last page (rows 99,951-100,000)": {"page": "2000"},
    "last page, username descending": {"page": "2000", "dir": "desc"},
    "sorted by company, last page": {"sort": "company", "page": "2000"},
    "sorted by name, first page": {"sort": "name"},
    "sorted by email descending, first page": {"sort": "email", "dir": "desc"},
    "search finding one customer": {"search": "c050000"},
    "search finding 100 customers": {"search": "c0500"},
    "search finding none": {"search": "no-such-customer"},
    "search finding every customer": {"search": "example"},
    "active=false, no row matches": {"active": "false"},
}
TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass(frozen=True)
class Timing:
    page: str
    median_ms: float
    slowest_ms: float
    rows: int


def gather_statistics(database_url: str) -> None:
    """PostgreSQL: ANALYZE, as autovacuum does within a minute of a bulk load, so the
    planner knows there are 100,000 rows (without statistics it guesses a handful and
    may join the search's matches row by row: docs/dashboard.md)."""
    if not database_url.startswith("postgresql"):
        return
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def log_in(client: httpx.Client) -> dict[str, str]:
    """The session cookie, got through the login form (cookies kept by hand: Secure)."""
    form = client.get("/dashboard/login")
    nonce = form.cookies.get("__Host-gridreseller-login") or ""
    token = TOKEN.search(form.text)
    assert token is not None
    answer = client.post(
        "/dashboard/login",
        data={"username": DISTRIBUTOR, "password": DISTRIBUTOR_PASSWORD, "csrf_token": token[1]},
        headers={"Cookie": f"__Host-gridreseller-login={nonce}"},
    )
    assert answer.status_code == 303, answer.text
    return {"Cookie": f"__Host-gridreseller={answer.cookies['__Host-gridreseller']}"}


def time_page(
    client: httpx.Client, cookie: dict[str, str], query: dict[str, str], repeat: int
) -> tuple[list[float], int]:
    timings: list[float] = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get("/dashboard/customers", params=query, headers=cookie)
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.status_code
        rows = answer.text.count('href="/dashboard/customer?user=')
    return timings, rows


def measure(database_url: str, customers: int, repeat: int) -> list[Timing]:
    seed(database_url, customers)
    gather_statistics(database_url)
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        base_url, _pid = launch(stack, "serve", server_command(database_url), work)
        with httpx.Client(base_url=base_url, timeout=120) as client:
            cookie = log_in(client)
            results = []
            for page, query in PAGES.items():
                timings, rows = time_page(client, cookie, query, repeat)
                results.append(Timing(page, statistics.median(timings), max(timings), rows))
            return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON object per page")
    options = parser.parse_args()
    url = options.database_url or f"sqlite:///{tempfile.mkdtemp()}/dashboard-bench.db"
    timings = measure(url, options.customers, options.repeat)
    if options.json:
        for timing in timings:
            print(json.dumps(asdict(timing)))
        return 0
    print(f"{options.customers} customers on {url.split(':', 1)[0]}")
    for timing in timings:
        print(
            f"{timing.page:55} median {timing.median_ms:8.1f} ms"
            f"  slowest {timing.slowest_ms:8.1f} ms  ({timing.rows} rows)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
