"""A request whose body the client cuts off (it goes away, or is dropped for being
slow) is never acted on: what did arrive may end in the middle of a password."""

from __future__ import annotations

import socket
from urllib.parse import urlencode

from tests.factories import Factory, customer_params
from tests.support import ThreadServer, eventually


def test_a_body_cut_off_before_its_end_adds_nobody(server: ThreadServer, factory: Factory) -> None:
    distributor = factory.distributor()
    params = customer_params(distributor.package)
    body = urlencode({**distributor.auth, **params}).encode()
    head = (
        b"POST /api/distributor.add.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        # Every parameter arrives, but not the whole body the request announced.
        b"Content-Length: " + str(len(body) + 64).encode() + b"\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
    added = eventually(lambda: bool(factory.customers_of(distributor)), seconds=2)
    assert not added
    # The same body, whole, adds the customer: what kept it out was the cut.
    response = factory.client.post(
        "/api/distributor.add.json", content=body, headers={"Content-Type": FORM}
    )
    assert response.status_code == 200, response.text
    assert [row["username"] for row in factory.customers_of(distributor)] == [params["username"]]


FORM = "application/x-www-form-urlencoded"
