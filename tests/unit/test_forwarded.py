"""X-Forwarded-For: believed from trusted peers only, right-most untrusted hop wins."""

from __future__ import annotations

from typing import Any

import pytest

from gridreseller.forwarded import ForwardedFor

PROXIES = ForwardedFor(["127.0.0.1", "10.0.0.0/8", "::1"])


def scope(peer: str | None, *values: str) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", v.encode()) for v in values] + [(b"host", b"example")]
    return {"type": "http", "client": (peer, 4711) if peer else None, "headers": headers}


def client_of(forwarded: ForwardedFor, peer: str | None, *values: str) -> object:
    found = forwarded.apply(scope(peer, *values))["client"]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("peer", "values", "client"),
    [
        # From a trusted proxy: the address it saw.
        ("127.0.0.1", ["203.0.113.7"], "203.0.113.7"),
        # A chain: a forged left part is skipped, the right-most untrusted hop wins.
        ("127.0.0.1", ["198.51.100.1, 203.0.113.7, 10.1.2.3"], "203.0.113.7"),
        # Several header lines count as one list, in order.
        ("10.9.9.9", ["198.51.100.1", "203.0.113.7", "10.1.2.3"], "203.0.113.7"),
        # Whatever does not parse as an address is ignored.
        ("127.0.0.1", ["203.0.113.7, unknown, _hidden, 300.1.1.1"], "203.0.113.7"),
        ("127.0.0.1", ["garbage"], "127.0.0.1"),
        ("127.0.0.1", [""], "127.0.0.1"),
        # IPv6, written canonically.
        ("::1", ["2001:DB8:0::7"], "2001:db8::7"),
        # Every hop a trusted proxy: the farthest one.
        ("127.0.0.1", ["10.0.0.5, 10.0.0.6"], "10.0.0.5"),
        # An IPv4 peer seen on a dual-stack socket.
        ("::ffff:127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
        # Untrusted peers: the header means nothing.
        ("192.0.2.50", ["203.0.113.7"], "192.0.2.50"),
        ("11.0.0.1", ["203.0.113.7"], "11.0.0.1"),
        # No header at all.
        ("127.0.0.1", [], "127.0.0.1"),
    ],
)
def test_client_address(peer: str, values: list[str], client: str) -> None:
    assert client_of(PROXIES, peer, *values) == client


def test_no_client_in_scope_stays_none() -> None:
    assert client_of(PROXIES, None, "203.0.113.7") is None


def test_nobody_trusted_means_no_header_believed() -> None:
    assert client_of(ForwardedFor([]), "127.0.0.1", "203.0.113.7") == "127.0.0.1"


def test_the_scope_is_copied_not_changed() -> None:
    original = scope("127.0.0.1", "203.0.113.7")
    changed = PROXIES.apply(original)
    assert original["client"] == ("127.0.0.1", 4711)
    assert changed["client"] == ("203.0.113.7", 0)
    assert changed["headers"] == original["headers"]
