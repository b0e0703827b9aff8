"""The v3 surface's figures for bench/run.py (docs/performance.md, "The v3 API"):

- `/v3/mail/send` messages per second (one personalization, one recipient, 1 KiB of
  text), measured in mail.send's plan against the same ceiling (bench/mail_ceiling.py);
- the latency of a Bearer key's first and repeated request (`GET /v3/scopes`): no
  argon2 run, one HMAC, next to a password login's (bench/run.py's login figures).
"""

from __future__ import annotations

import base64
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PATH = "/v3/mail/send"
TEXT_BYTES = 1024
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
wrk.body = {body}
"""


@dataclass
class KeyLatencies:
    first_ms: list[float] = field(default_factory=list)
    repeated_ms: list[float] = field(default_factory=list)
    basic_ms: list[float] = field(default_factory=list)  # the password, cached, same call


def new_key(base_url: str, user: str, password: str) -> str:
    """A key of `user` with every scope, made with its password (Basic)."""
    made = httpx.post(
        f"{base_url}/v3/api_keys", json={"name": "bench"}, auth=(user, password), timeout=60
    )
    if made.status_code != 201:
        raise RuntimeError(f"creating a key for {user}: {made.status_code} {made.text[:200]}")
    return str(made.json()["api_key"])


def body() -> str:
    """One message: one personalization, one recipient, a subject, 1 KiB of text (the
    same message as mail.send's figure)."""
    text = ("x" * 75 + "\n") * (TEXT_BYTES // 76)
    return json.dumps(
        {
            "personalizations": [{"to": [{"email": "sink@example.com"}]}],
            "from": {"email": "bench@example.com"},
            "subject": "bench",
            "content": [{"type": "text/plain", "value": text}],
        }
    )


def write_script(work: Path, key: str) -> Path:
    script = work / "v3_mail_send.lua"
    script.write_text(LUA.format(key=key, body=json.dumps(body())), encoding="utf-8")
    return script


def _timed_scopes(client: httpx.Client, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get("/v3/scopes", headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET /v3/scopes: {response.status_code}")
    return elapsed


def measure_keys(client: httpx.Client, users: list[tuple[str, str]]) -> KeyLatencies:
    """For each user (whose password login is cached by now): a new key's first and
    second request, and the same call with the cached password."""
    found = KeyLatencies()
    for user, password in users:
        key = new_key(str(client.base_url).rstrip("/"), user, password)
        bearer = {"Authorization": f"Bearer {key}"}
        found.first_ms.append(_timed_scopes(client, bearer))
        found.repeated_ms.append(_timed_scopes(client, bearer))
        basic = base64.b64encode(f"{user}:{password}".encode()).decode()
        found.basic_ms.append(_timed_scopes(client, {"Authorization": f"Basic {basic}"}))
    return found


def print_keys(found: KeyLatencies | None) -> None:
    if found is None or not found.first_ms:
        return
    print(f"  API key: GET /v3/scopes with a new key of {len(found.first_ms)} customers")
    print(f"  first request (HMAC, no argon2):  median {statistics.median(found.first_ms):.1f} ms")
    print(
        f"  second request (pair known clear): median {statistics.median(found.repeated_ms):.1f} ms"
    )
    print(
        f"  same call, cached password (Basic): median {statistics.median(found.basic_ms):.1f} ms"
    )
