"""`Auth-Login-Attempt` as nginx's auth_http sends it, and as a client could make it
look: only ASCII digits count, anything else is the first attempt (docs/smtp.md)."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.factories import Factory
from tests.mail.test_auth_http import BAD, SECRET, AuthServer, auth_headers, auth_server

__all__ = ["auth_server"]  # the module's fixture, shared


def ask_with_attempt(server: AuthServer, username: str, attempt: bytes) -> httpx.Response:
    headers = [
        (b"Auth-Method", b"plain"),
        (b"Auth-User", username.encode()),
        (b"Auth-Pass", b"wrong-pass"),
        (b"Auth-Protocol", b"smtp"),
        (b"Auth-Login-Attempt", attempt),
        (b"Client-IP", b"198.51.100.9"),
        (b"X-Gridreseller-Secret", SECRET.encode()),
    ]
    return httpx.get(f"{server.url}/auth/mail", headers=headers, timeout=30)


# \xb3 is Latin-1's superscript three: str.isdigit() says yes, int() says no.
@pytest.mark.parametrize("attempt", [b"\xb3", b"\xb9\xb2", b"\xd9\xa3", b"-1", b"1e3", b""])
def test_an_attempt_that_is_not_ascii_digits_counts_as_the_first(
    factory: Factory,
    auth_server: AuthServer,
    caplog: pytest.LogCaptureFixture,
    attempt: bytes,
) -> None:
    caplog.set_level(logging.INFO, logger="gridreseller")
    customer = factory.customer(factory.distributor())
    answer = auth_headers(ask_with_attempt(auth_server, customer.username, attempt))
    assert answer == {**BAD, "auth-wait": "2"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_ascii_digits_still_count(factory: Factory, auth_server: AuthServer) -> None:
    customer = factory.customer(factory.distributor())
    early = auth_headers(ask_with_attempt(auth_server, customer.username, b"2"))
    late = auth_headers(ask_with_attempt(auth_server, customer.username, b"03"))
    assert (early, late) == ({**BAD, "auth-wait": "2"}, BAD)
