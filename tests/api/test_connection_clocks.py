"""The server's clocks on a kept-alive connection, and answers written whole
(http_server.py), through the real server.

A request that arrives whole in one read sets no timer, so the cases that matter are
the ones that do not: the next request on a connection that stalls halfway, stray
bytes that begin no request, and answers that must not wait for a body they will
never have (HEAD, `Expect: 100-continue`).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.test_hardening import closed_within
from tests.conftest import new_database
from tests.support import ThreadServer, container_for

# The connection's keep-alive clock runs far longer than the request clocks, so a
# close within a request clock's patience is that clock's doing.
LIMITS: dict[str, Any] = {
    "header_timeout_seconds": 1,
    "body_timeout_seconds": 2,
    "keep_alive_seconds": 60,
}
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
PACKAGES = b"POST /api/distributor.packages.json HTTP/1.1\r\nHost: x\r\n"


@pytest.fixture(scope="module")
def server(backend: str, request: pytest.FixtureRequest) -> Iterator[ThreadServer]:
    yield from running_server(backend, request, LIMITS)


@pytest.fixture(scope="module")
def brief_keep_alive(backend: str, request: pytest.FixtureRequest) -> Iterator[ThreadServer]:
    yield from running_server(backend, request, {"keep_alive_seconds": 1})


def running_server(
    backend: str, request: pytest.FixtureRequest, limits: dict[str, Any]
) -> Iterator[ThreadServer]:
    running = ThreadServer(container_for(new_database(backend, request), **limits))
    running.start()
    yield running
    running.stop()


def connect(server: ThreadServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def read_answer(sock: socket.socket) -> bytes:
    """One whole answer (headers and a Content-Length body) from the connection, and
    not a byte of the next one."""
    head = read_head(sock)
    length = int(header_value(head, b"content-length"))
    return head + read_exactly(sock, length)


def read_head(sock: socket.socket) -> bytes:
    """The status line and headers, read a byte at a time so as not to read past them."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += read_exactly(sock, 1)
    return head


def read_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        assert chunk, "the server closed the connection"
        data += chunk
    return data


def header_value(head: bytes, name: bytes) -> bytes:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    raise AssertionError(f"no {name!r} header in {head!r}")


def test_a_kept_alive_connections_stalled_next_headers_are_closed(server: ThreadServer) -> None:
    with connect(server) as sock:
        sock.sendall(HEALTHZ)
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # and the rest never comes
        assert closed_within(sock, 3)


def test_a_whole_request_with_the_next_ones_first_bytes_still_times_the_next(
    server: ThreadServer,
) -> None:
    with connect(server) as sock:
        sock.sendall(HEALTHZ + b"GET /healthz HTTP/1.1\r\n")
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")
        assert closed_within(sock, 3)


def test_a_kept_alive_connections_stalled_next_body_is_closed(server: ThreadServer) -> None:
    with connect(server) as sock:
        sock.sendall(HEALTHZ)
        read_answer(sock)
        sock.sendall(PACKAGES + b"Content-Length: 100\r\n\r\nab")
        assert not closed_within(sock, 1.3)  # past the headers' clock: the body's runs
        assert closed_within(sock, 3)


def test_stray_bytes_between_requests_do_not_hold_a_connection_open(
    server: ThreadServer,
) -> None:
    with connect(server) as sock:
        sock.sendall(HEALTHZ)
        read_answer(sock)
        sock.sendall(b"\r\n")  # begins no request, and stops the keep-alive clock
        assert closed_within(sock, 3)


def test_an_idle_kept_alive_connection_waits_for_its_next_request(server: ThreadServer) -> None:
    with connect(server) as sock:
        sock.sendall(HEALTHZ)
        read_answer(sock)
        assert not closed_within(sock, 2.5)
        sock.sendall(HEALTHZ)
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")


def test_pipelined_answers_come_whole_and_in_order(server: ThreadServer) -> None:
    with connect(server) as sock:
        sock.sendall(HEALTHZ + b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" + HEALTHZ)
        first, second, third = read_answer(sock), read_answer(sock), read_answer(sock)
    assert first.endswith(b'{"status":"ok"}\n')
    assert b'"openapi"' in second
    assert third.endswith(b'{"status":"ok"}\n')


def test_a_head_answer_is_sent_without_a_body(server: ThreadServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_head(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(HEALTHZ)  # and the connection goes on
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")


def test_a_client_that_expects_100_continue_gets_it_before_sending_its_body(
    server: ThreadServer,
) -> None:
    body = b"api_user=nobody&api_key=wrong"
    with connect(server) as sock:
        sock.sendall(
            PACKAGES + b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Expect: 100-continue\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        assert read_head(sock) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 401 ") or answer.startswith(b"HTTP/1.1 403 ")


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive_time(
    brief_keep_alive: ThreadServer,
) -> None:
    with connect(brief_keep_alive) as sock:
        sock.sendall(HEALTHZ)
        read_answer(sock)
        assert not closed_within(sock, 0.5)
        assert closed_within(sock, 2)


def test_the_keep_alive_time_counts_from_the_last_answer(brief_keep_alive: ThreadServer) -> None:
    """A connection asked something every 0.4 s for 2.5 s is never idle for 1 s."""
    with connect(brief_keep_alive) as sock:
        for _ in range(6):
            sock.sendall(HEALTHZ)
            assert read_answer(sock).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.4)
        sock.sendall(HEALTHZ)
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")
