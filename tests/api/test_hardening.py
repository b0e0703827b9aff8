"""Attacks from outside, through the real server (issue 14): one tenant cannot freeze
the service, slow or huge requests are bounded, every answer stays well-formed."""

from __future__ import annotations

import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from gridreseller.bootstrap import Container
from gridreseller.domain import rules
from gridreseller.domain.models import LoginKind
from gridreseller.services import audit, operator
from tests.conftest import new_database
from tests.database import unit_of_work
from tests.factories import Distributor, Factory, customer_params, unique
from tests.support import ThreadServer, container_for, errors, verifications

# Tight bounds, so that each can be seen to act within a test's patience.
LIMITS: dict[str, Any] = {
    "header_timeout_seconds": 1,
    "body_timeout_seconds": 2,
    "send_timeout_seconds": 3,
    "max_connections": 60,
    "max_header_bytes": 8192,
    "throttle_account_failures": 5,
}


@pytest.fixture(scope="module")
def bounded(backend: str, request: pytest.FixtureRequest) -> Iterator[tuple[ThreadServer, Factory]]:
    container = container_for(new_database(backend, request), counting=True, **LIMITS)
    server = ThreadServer(container)
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield server, Factory(container.services, client)
    server.stop()


def raw_exchange(server: ThreadServer, request: bytes, timeout: float = 10) -> bytes:
    """Send bytes on a fresh connection; everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes this connection within `seconds` (it sends nothing)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


# 1. A slow reader of long lists freezes nobody -------------------------------------------


def seed_customers(container: Container, distributor: Distributor, count: int) -> None:
    """Many customers at once, through the repository (one write transaction)."""
    ctx = container.services
    owner = operator.distributor_id(ctx, distributor.username)
    password_hash = ctx.passwords.hash("seeded-pass")
    now = ctx.clock()
    tag = unique("s")
    names = [f"c{n:06d}-{tag}@example.com" for n in range(count)]
    profile = {k: v for k, v in customer_params("x").items() if k in rules.PROFILE_LIMITS}
    with unit_of_work(ctx).write() as repository:
        package = repository.package_named(owner, distributor.package)
        assert package is not None
        login_rows = [
            {
                "kind": LoginKind.CUSTOMER.value,
                "username": name,
                "username_key": rules.username_key(name),
                "password_hash": password_hash,
                "owner_id": owner,
                "email": "seed@example.com",
                "created_at": now,
                "updated_at": now,
            }
            for name in names
        ]
        profile_rows = [
            {**profile, "whitelabel": "mail.example.com", "package_id": package.id}
        ] * count
        repository.create_customers(login_rows, profile_rows)


def stalled_list(server: ThreadServer, distributor: Distributor) -> socket.socket:
    """A connection that asks for the whole list, then reads nothing."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    body = f"api_user={distributor.username}&api_key={distributor.password}&method=profile&task=get"
    sock.sendall(
        b"POST /api/distributor.manage.json HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n{body}".encode()
    )
    return sock


@pytest.mark.slow
def test_slow_readers_of_long_lists_stall_nobody(fresh_database_url: str) -> None:
    """50 lists of 12,000 customers whose clients read nothing: once the lists have
    filled their sockets, nobody else waits, and the readers are dropped in time."""
    send_timeout = 12
    container = container_for(fresh_database_url, send_timeout_seconds=send_timeout)
    server = ThreadServer(container)
    server.start()
    client = httpx.Client(base_url=server.url, timeout=30)
    factory = Factory(container.services, client)
    greedy, other = factory.distributor(), factory.distributor()
    seed_customers(container, greedy, 12_000)  # about 4 MB a list
    readers = [stalled_list(server, greedy) for _ in range(50)]
    stalled_at = time.monotonic()
    try:
        settle(server)  # rendering what fits in 50 sockets' buffers takes the CPU a while
        for _ in range(5):
            started = time.monotonic()
            assert client.get("/healthz", timeout=5).status_code == 200
            assert factory.call("distributor.packages", "json", other).status_code == 200
            assert time.monotonic() - started < 1.0
        left = send_timeout + 6 - (time.monotonic() - stalled_at)
        assert all(closed_after_draining(sock, left) for sock in readers)
    finally:
        for sock in readers:
            sock.close()
        client.close()
        server.stop()


def settle(server: ThreadServer, seconds: float = 30) -> None:
    """Wait until the server answers /healthz promptly again, three times running (the
    lists are then all waiting for their readers)."""
    deadline, prompt = time.monotonic() + seconds, 0
    while time.monotonic() < deadline and prompt < 3:
        started = time.monotonic()
        httpx.get(f"{server.url}/healthz", timeout=seconds)
        prompt = prompt + 1 if time.monotonic() - started < 0.2 else 0
        time.sleep(0.1)
    assert prompt == 3, "the server did not settle"


def closed_after_draining(sock: socket.socket, seconds: float) -> bool:
    """Whether the server drops the connection within `seconds` (reading what it sent)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            if not sock.recv(1 << 20):
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            continue
    return False


# Slow or huge requests ------------------------------------------------------------------


def test_headers_that_never_end_are_refused(bounded: tuple[ThreadServer, Factory]) -> None:
    server, _ = bounded
    answer = raw_exchange(server, b"GET /healthz HTTP/1.1\r\nX-Pad: " + b"a" * 20_000)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"x-content-type-options: nosniff" in answer


def test_silent_and_slow_connections_are_closed(bounded: tuple[ThreadServer, Factory]) -> None:
    server, _ = bounded
    silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    slow = socket.create_connection(("127.0.0.1", server.port))
    slow.sendall(b"GET /healthz HTTP/1.1\r\n")  # and the rest never comes
    body = socket.create_connection(("127.0.0.1", server.port))
    body.sendall(b"POST /api/distributor.packages.json HTTP/1.1\r\nContent-Length: 100\r\n\r\nab")
    try:
        assert all(closed_within(sock, 3) for sock in silent)
        assert closed_within(slow, 3)
        assert closed_within(body, 4)
    finally:
        for sock in [*silent, slow, body]:
            sock.close()


def test_connections_beyond_the_limit_are_closed(bounded: tuple[ThreadServer, Factory]) -> None:
    server, _ = bounded
    held = [
        socket.create_connection(("127.0.0.1", server.port))
        for _ in range(LIMITS["max_connections"])
    ]
    try:
        extra = socket.create_connection(("127.0.0.1", server.port))
        assert closed_within(extra, 1)
        extra.close()
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_unknown_method_is_405_in_the_envelope(bounded: tuple[ThreadServer, Factory]) -> None:
    server, _ = bounded
    answer = raw_exchange(
        server, b"BREW /api/distributor.packages.json HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 405 ")
    assert b"x-content-type-options: nosniff" in answer
    assert b'"message":"error"' in answer


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /api/\xff.json HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /healthz HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"POST /healthz HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    ],
    ids=["byte above 0x7f", "two lengths", "negative length"],
)
def test_requests_that_are_not_http_get_the_envelope(
    bounded: tuple[ThreadServer, Factory], request_bytes: bytes
) -> None:
    server, _ = bounded
    answer = raw_exchange(server, request_bytes)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"x-content-type-options: nosniff" in answer
    assert answer.endswith(b'{"message":"error","errors":["the request is not valid HTTP/1.1"]}\n')


def test_routing_is_on_the_raw_path(bounded: tuple[ThreadServer, Factory]) -> None:
    server, factory = bounded
    distributor = factory.distributor()
    response = httpx.post(f"{server.url}/api/credentials%2Fget.json", data=distributor.auth)
    assert response.status_code == 404
    assert errors(response) == ["Unknown endpoint"]


# 3 and 7. Malformed input never yields malformed XML, nor Latin-1 guesses ------------------


def multipart(*parts: tuple[bytes, bytes]) -> tuple[bytes, dict[str, str]]:
    body = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in parts
    )
    return body + b"--B--\r\n", {"Content-Type": "multipart/form-data; boundary=B"}


def test_control_characters_in_echoed_names_keep_xml_well_formed(
    bounded: tuple[ThreadServer, Factory],
) -> None:
    server, _ = bounded
    body, headers = multipart((b"x\x01", b"\xff\xfe"))
    response = httpx.post(
        f"{server.url}/api/distributor.packages.xml", content=body, headers=headers
    )
    assert response.status_code == 400
    document = ET.fromstring(response.content)  # well-formed
    assert document.findtext("errors/error") == "x\\x01 must be UTF-8 text"


def test_non_utf8_multipart_values_are_refused_like_urlencoded(
    bounded: tuple[ThreadServer, Factory],
) -> None:
    server, factory = bounded
    distributor = factory.distributor()
    params = customer_params(distributor.package)
    fields = [(k.encode(), v.encode()) for k, v in {**distributor.auth, **params}.items()]
    fields = [(k, b"\xff\xfeCity\x85" if k == b"city" else v) for k, v in fields]
    body, headers = multipart(*fields)
    response = httpx.post(f"{server.url}/api/distributor.add.json", content=body, headers=headers)
    assert response.status_code == 400
    assert errors(response) == ["city must be UTF-8 text"]
    assert factory.customers_of(distributor) == []
    bad_name, headers = multipart((b"\xffname", b"x"))
    response = httpx.post(
        f"{server.url}/api/distributor.add.json", content=bad_name, headers=headers
    )
    assert response.status_code == 400
    assert errors(response)[0].startswith("a parameter name must be UTF-8 text")


# 4. A WebSocket upgrade is refused cleanly -------------------------------------------------


def test_websocket_upgrade_is_refused_in_the_envelope(
    bounded: tuple[ThreadServer, Factory],
) -> None:
    server, _ = bounded
    answer = raw_exchange(
        server,
        b"GET /api/distributor.packages.xml HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n",
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"x-content-type-options: nosniff" in head.lower()
    assert ET.fromstring(body).findtext("errors/error") == "WebSocket upgrades are not supported"


# 8. A deleted login's right password costs a hash like any other failure ------------------


def test_a_deleted_logins_cached_password_still_costs_a_hash(
    bounded: tuple[ThreadServer, Factory],
) -> None:
    server, factory = bounded
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    assert factory.call("credentials/get", "json", customer).status_code == 200  # now cached
    deleted = factory.call("distributor.delete", "json", distributor, user=customer.username)
    assert deleted.status_code == 200
    before = verifications(server.container)
    assert factory.call("credentials/get", "json", customer).status_code == 401
    assert verifications(server.container) == before + 1


# 9. distributor.manage auth is throttled and audited ---------------------------------------


def test_manage_auth_guesses_are_throttled_and_audited(
    bounded: tuple[ThreadServer, Factory],
) -> None:
    server, factory = bounded
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    statuses = [
        factory.call(
            "distributor.manage",
            "json",
            distributor,
            method="auth",
            user=customer.username,
            password=f"guess-{n}",
        ).status_code
        for n in range(8)
    ]
    assert (
        statuses[: LIMITS["throttle_account_failures"]]
        == [400] * LIMITS["throttle_account_failures"]
    )
    assert statuses[-1] == 429
    ctx = server.container.services
    failed = [
        e
        for e in audit.events(ctx, None, datetime(2000, 1, 1))
        if e.action == "login.failed" and e.target == customer.username
    ]
    assert len(failed) == LIMITS["throttle_account_failures"]
    # The customer's own logins are in the same budget: locked too.
    assert factory.call("credentials/get", "json", customer).status_code == 429
