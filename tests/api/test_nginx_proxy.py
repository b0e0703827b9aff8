"""docs/deployment.md's nginx `location` block in a real nginx in front of `serve`: the
client nginx saw is the one throttled and audited, and a forged header changes nothing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import free_port, seed_reseller, serve_process

pytestmark = pytest.mark.slow
DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
# nginx talks to gridreseller from its own loopback address, the one trusted proxy;
# the test's client (127.0.0.1) is then an untrusted address, as a real client is.
PROXY_ADDRESS = "127.0.0.3"


def documented_location() -> str:
    """The `location / { ... }` block of the documented nginx site."""
    found = re.search(r"```nginx\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert found, "docs/deployment.md has no nginx example"
    location = re.search(r"^    location / \{\n.*?^    \}\n", found.group(1), re.DOTALL | re.M)
    assert location, "the nginx example has no `location /` block"
    return location.group(0)


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[Path, int, int]]:
    """nginx on a free port proxying to a free port; yields (prefix, nginx, upstream)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.skip("nginx is not installed (Debian's nginx package; .ci/run installs it)")
    listen, upstream = free_port(), free_port()
    config = tmp_path / "nginx.conf"
    config.write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    upstream gridreseller {{ server 127.0.0.1:{upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{listen};
        proxy_bind {PROXY_ADDRESS};
{documented_location()}
    }}
}}
""")
    process = subprocess.Popen(
        [binary, "-p", str(tmp_path), "-c", str(config), "-g", "daemon off;"]
    )
    try:
        yield tmp_path, listen, upstream
    finally:
        process.terminate()
        process.wait(10)


def _audit(database_url: str) -> list[dict[str, object]]:
    command = [sys.executable, "-m", "gridreseller", "audit", "--json", "--database-url"]
    result = subprocess.run([*command, database_url], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_nginx_names_the_client_and_a_forged_header_is_overwritten(
    nginx: tuple[Path, int, int], tmp_path: Path
) -> None:
    _prefix, listen, upstream = nginx
    database_url = f"sqlite:///{tmp_path / 'proxied.db'}"
    seed_reseller(database_url)
    allowed = ("--forwarded-allow-ips", PROXY_ADDRESS)
    with serve_process(database_url, *allowed, port=upstream):
        proxied = f"http://127.0.0.1:{listen}"
        deadline = time.monotonic() + 10
        while httpx.get(f"{proxied}/healthz").status_code != 200:
            assert time.monotonic() < deadline, "nginx does not reach gridreseller"
            time.sleep(0.1)
        response = httpx.post(
            f"{proxied}/api/distributor.packages.json",
            data={"api_user": "reseller", "api_key": "wrong"},
            headers={"X-Forwarded-For": "198.51.100.99"},
        )
        assert response.status_code == 401
    failed = [e["client"] for e in _audit(database_url) if e["action"] == "login.failed"]
    # Not nginx's address (that is the proxy's), not the forged one: the client's.
    assert failed == ["127.0.0.1"]
