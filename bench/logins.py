"""Login cost: each login customer's first API call runs argon2id, its second is
answered from the login cache."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

import httpx
from seeding import login_users


@dataclass
class LoginTimes:
    hash_parameters: str = ""
    first_ms: list[float] = field(default_factory=list)
    cached_ms: list[float] = field(default_factory=list)


def timed_credentials_get(client: httpx.Client, username: str, password: str) -> float:
    data = {"api_user": username, "api_key": password}
    started = time.perf_counter()
    response = client.post("/api/credentials/get.json", data=data)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"credentials/get as {username}: {response.status_code}")
    return elapsed


def measure_logins(client: httpx.Client, times: LoginTimes) -> None:
    """Each customer's first call runs argon2id; its second is answered from the cache."""
    for username, password in login_users():
        times.first_ms.append(timed_credentials_get(client, username, password))
        times.cached_ms.append(timed_credentials_get(client, username, password))


def print_logins(times: LoginTimes) -> None:
    first = statistics.median(times.first_ms)
    cached = statistics.median(times.cached_ms)
    print()
    print(f"  login: credentials/get as {len(times.first_ms)} customers, each twice")
    print(f"  stored hashes: {times.hash_parameters}")
    print(f"  first call (uncached, argon2id): median {first:.1f} ms")
    print(f"  second call (login cache):       median {cached:.1f} ms")
