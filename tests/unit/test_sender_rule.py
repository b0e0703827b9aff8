"""The sender-domain rule (domain/senders.py) and the From: header reader
(sending/senders.py): pure functions, every case of the documented rule."""

from __future__ import annotations

import pytest

from gridreseller.domain.senders import (
    AllowedSenders,
    SenderDomainProblem,
    joined,
    sender_domain_entry,
)
from gridreseller.sending.senders import UNREADABLE, from_addresses

LIST = AllowedSenders.stored(
    joined(sender_domain_entry(raw) for raw in ("Example.COM.", "*.bücher.de", "*.Mail.Test"))
)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("jo@example.com", True),
        ("jo@EXAMPLE.com", True),  # any case
        ("jo@example.com.", True),  # a trailing dot is the same name
        ("jo@sub.example.com", False),  # exact entry: its subdomains are not in it
        ("jo@notexample.com", False),
        ("jo@example.com.evil.org", False),
        ("jo@a.bücher.de", True),  # wildcard, Unicode form
        ("jo@a.xn--bcher-kva.de", True),  # wildcard, ASCII form
        ("jo@x.y.BÜCHER.de", True),  # any depth below
        ("jo@bücher.de", False),  # a wildcard is below the name, not the name itself
        ("jo@xbücher.de", False),
        ("jo@mail.test", False),
        ("jo@a.mail.test", True),
        ("no-at-sign", False),
        ("jo@[192.0.2.1]", False),  # an address literal names no domain
        ("jo@", False),
        ('"a@b"@example.com', True),  # the domain is after the last @
    ],
)
def test_an_address_matches_an_entry_exactly_or_below_a_wildcard(
    address: str, allowed: bool
) -> None:
    assert LIST.allows(address) is allowed


def test_an_empty_list_allows_any_sender() -> None:
    empty = AllowedSenders.stored("")
    assert empty.any
    assert all(empty.allows(a) for a in ("x@anything.example", "no-at-sign", ""))


@pytest.mark.parametrize(
    ("raw", "entry"),
    [
        ("example.com", "example.com"),
        (" Example.COM. ", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("*.Example.com", "*.example.com"),
        ("*.bücher.de", "*.xn--bcher-kva.de"),
    ],
)
def test_entries_are_kept_in_comparison_form(raw: str, entry: str) -> None:
    assert sender_domain_entry(raw) == entry


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "*",
        "*.",
        "*.com",
        "com",
        "*.*.example.com",
        "a.*.example.com",
        "ex ample.com",
        "1.2.3.4",
        "a..b.com",
        "-a.com",
        "user@example.com",
        "x" * 64 + ".com",
        "[192.0.2.1]",
    ],
)
def test_invalid_entries_are_refused(raw: str) -> None:
    with pytest.raises(SenderDomainProblem):
        sender_domain_entry(raw)


def test_a_list_keeps_each_entry_once_in_the_order_given() -> None:
    assert joined(["b.com", "a.com", "b.com"]) == "b.com,a.com"
    assert AllowedSenders.stored("b.com,a.com").entries == ("b.com", "a.com")


@pytest.mark.parametrize(
    ("message", "addresses"),
    [
        (b"Subject: none\r\n\r\nFrom: body@x.com\r\n", []),
        (b"From: Jo <jo@x.com>\r\n\r\nbody", ["jo@x.com"]),
        (b"From: a@x.com, B <b@y.org>\r\nFrom: c@z.net\r\n\r\n", ["a@x.com", "b@y.org", "c@z.net"]),
        (b"From: =?utf-8?q?J=C3=B6rg?= <j@x.com>\n\nLF only", ["j@x.com"]),
        (b"From: a@x.com\r\n (folded comment)\r\n\r\n", ["a@x.com"]),
        (b"From: undisclosed:;\r\n\r\n", [UNREADABLE]),
        (b"From: \r\n\r\n", [UNREADABLE]),
        (b"From: a@x.com\r\nSubject: no body", ["a@x.com"]),
    ],
)
def test_the_from_headers_addresses(message: bytes, addresses: list[str]) -> None:
    assert from_addresses(message) == addresses


def test_an_unreadable_from_header_matches_no_list() -> None:
    assert not LIST.allows(UNREADABLE)
    assert all(not LIST.allows(a) for a in from_addresses(b"From: <<<@@@\r\n\r\n"))
