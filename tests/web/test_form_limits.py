"""A form the dashboard does not read (docs/dashboard.md): too large (413, declared or
counted as it arrives), not urlencoded (415), not UTF-8 or too many fields (400). Each
is a problem page, and nothing is done: the session the logout form would end lives on."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import httpx
import pytest

from tests.factories import Factory
from tests.support import ThreadServer
from tests.web.webclient import WebClient, problem

Web = Callable[[], WebClient]
MIB = 1024 * 1024
FORM = "application/x-www-form-urlencoded"


def logged_in(factory: Factory, web: Web) -> WebClient:
    client = web()
    assert client.login(factory.distributor()).status_code == 303
    client.open("/dashboard/credentials")
    return client


def post_raw(client: WebClient, body: bytes | Iterator[bytes], content_type: str) -> httpx.Response:
    """The logout form's POST with this body, from this very site."""
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
        "Content-Type": content_type,
        "Origin": client.base_url,
    }
    return httpx.post(
        client.base_url + "/dashboard/logout", content=body, headers=headers, timeout=30
    )


def still_logged_in(client: WebClient) -> bool:
    return client.get("/dashboard/credentials").status_code == 200


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_form_over_the_body_limit_is_a_413_page(
    factory: Factory, web: Web, chunked: bool
) -> None:
    client = logged_in(factory, web)
    data = urlencode({"csrf_token": client.token(), "pad": "a" * MIB}).encode()
    response = post_raw(client, chunks(data) if chunked else data, FORM)
    assert response.status_code == 413
    assert problem(response) == "The form is too large."
    # The rest of the body was not read: the connection is not kept for another request.
    assert response.headers["connection"] == "close"
    assert still_logged_in(client)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{}", "application/json", 415, f"The form must be sent as {FORM}."),
        (b"csrf_token=x&name=%ff", FORM, 400, "The form must be UTF-8 text."),
        (b"&".join([b"f=1"] * 201), FORM, 400, "A form has at most 200 fields."),
    ],
    ids=["json", "not-utf-8", "201-fields"],
)
def test_a_body_that_is_no_form_is_refused_with_its_reason(
    factory: Factory, web: Web, body: bytes, content_type: str, status: int, message: str
) -> None:
    client = logged_in(factory, web)
    response = post_raw(client, body, content_type)
    assert (response.status_code, problem(response)) == (status, message)
    assert still_logged_in(client)


def test_a_form_cut_off_before_its_end_does_nothing(
    factory: Factory, web: Web, server: ThreadServer
) -> None:
    client = logged_in(factory, web)
    body = urlencode({"csrf_token": client.token()}).encode()
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    head = (
        f"POST /dashboard/logout HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Cookie: {cookies}\r\nContent-Type: {FORM}\r\n"
        # The whole token arrives, but not the whole body the request announced.
        f"Content-Length: {len(body) + 64}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
    time.sleep(1)  # what the server would do with what arrived, it has done by now
    assert still_logged_in(client)
