"""The mail surface's pure parts: its reply table, nginx's escaping, the trace header,
and the settings it reads."""

from __future__ import annotations

from datetime import datetime

import pytest

from gridreseller.config import load_settings, upstream_address
from gridreseller.domain.access import Denial
from gridreseller.domain.errors import Forbidden, Throttled, Unauthorized, Unavailable
from gridreseller.mail.auth_http import decode_escaped
from gridreseller.mail.received import received_header
from gridreseller.mail.replies import DENIAL_TEXTS, auth_refusal, sender_refusal, upstream_reply


def test_every_denial_has_words() -> None:
    assert set(DENIAL_TEXTS) == set(Denial)
    assert all(text.isascii() and text.isprintable() for text in DENIAL_TEXTS.values())


@pytest.mark.parametrize(
    ("error", "at_auth", "at_mail_from"),
    [
        (Unauthorized(), "535 5.7.8 Bad username / password", "530 5.7.0"),
        (Forbidden(Denial.NO_EMAIL_BIT), "535 5.7.1 The credential lacks", "550 5.7.1"),
        (Throttled(60), "454 4.7.0 Too many failed logins", "451 4.3.0"),
        (Unavailable(), "454 4.3.0 Temporarily unavailable", "451 4.3.0"),
        (RuntimeError("boom"), "454 4.3.0 Temporarily unavailable", "451 4.3.0"),
    ],
)
def test_the_core_s_answers_as_smtp_replies(
    error: Exception, at_auth: str, at_mail_from: str
) -> None:
    assert str(auth_refusal(error)).startswith(at_auth)
    assert str(sender_refusal(error)).startswith(at_mail_from)


@pytest.mark.parametrize(
    ("code", "text", "reply"),
    [
        (250, "2.0.0 Ok: queued as ABC", "250 2.0.0 Ok: queued as ABC"),
        (250, "OK", "250 2.0.0 OK"),
        (
            550,
            "5.1.1 <x@y>: Recipient address rejected",
            "550 5.1.1 <x@y>: Recipient address rejected",
        ),
        (554, "Transaction failed\nsecond line", "554 5.0.0 Transaction failed second line"),
        (552, "5.3.4 Too big; naïve", "552 5.3.4 Too big; na?ve"),
        (421, "4.4.2 closing", "451 4.4.1 Upstream not available; try again later"),
        (452, "4.5.3 Too many recipients", "451 4.4.1 Upstream not available; try again later"),
        (354, "go ahead", "451 4.4.1 Upstream not available; try again later"),
    ],
)
def test_upstream_replies(code: int, text: str, reply: str) -> None:
    assert str(upstream_reply(code, text)) == reply


@pytest.mark.parametrize(
    ("escaped", "decoded"),
    [
        ("plain", "plain"),
        ("with%20space", "with space"),
        ("100%25", "100%"),
        ("a+b", "a+b"),
        ('say "hi"', 'say "hi"'),
        ("tab%09and%0D%0A", "tab\tand\r\n"),
        ("ümlaut".encode().decode("latin-1"), "ümlaut"),
        ("%zz stays", "%zz stays"),
    ],
)
def test_nginx_escaping_is_undone_exactly(escaped: str, decoded: str) -> None:
    assert decode_escaped(escaped) == decoded


def test_bytes_that_are_not_utf8_decode_to_nothing() -> None:
    assert decode_escaped("%FF") is None
    assert decode_escaped("\xff") is None


def test_received_header_is_folded_ascii_naming_the_login() -> None:
    header = received_header(
        helo="client.example",
        client="2001:db8::7",
        hostname="mx.test",
        message_id="ABC123",
        login="a(b)\\c",
        when=datetime(2024, 5, 6, 7, 8, 9),
    )
    assert header == (
        b"Received: from client.example ([IPv6:2001:db8::7])\r\n"
        b"\tby mx.test (gridreseller) with ESMTPSA id ABC123\r\n"
        b"\t(authenticated login a\\(b\\)\\\\c);\r\n"
        b"\tMon, 06 May 2024 07:08:09 +0000\r\n"
    )


@pytest.mark.parametrize("helo", [None, "", "bad;name", "x" * 300, "a b"])
def test_an_unusable_ehlo_name_is_unknown(helo: str | None) -> None:
    header = received_header(
        helo=helo, client="192.0.2.1", hostname="h", message_id="I", login="l", when=datetime.now()
    )
    assert header.startswith(b"Received: from unknown ([192.0.2.1])\r\n")


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("127.0.0.1:25", ("127.0.0.1", 25)), ("[::1]:2525", ("::1", 2525)), ("::1:25", ("::1", 25))],
)
def test_mail_upstream_is_an_ip_and_a_port(raw: str, parsed: tuple[str, int]) -> None:
    assert upstream_address(raw) == parsed
    assert load_settings({"GRIDRESELLER_MAIL_UPSTREAM": raw}).mail_upstream == raw


@pytest.mark.parametrize("raw", ["mx.example:25", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:x", ":25"])
def test_a_bad_mail_upstream_is_one_clear_error(raw: str) -> None:
    with pytest.raises(ValueError, match=r"^GRIDRESELLER_MAIL_UPSTREAM must be IP:PORT") as error:
        load_settings({"GRIDRESELLER_MAIL_UPSTREAM": raw})
    assert "\n" not in str(error.value)


def test_mail_auth_needs_both_settings() -> None:
    both = {"GRIDRESELLER_MAIL_AUTH_SECRET": "s", "GRIDRESELLER_MAIL_UPSTREAM": "192.0.2.1:25"}
    assert load_settings(both).mail_auth_enabled
    assert not load_settings({"GRIDRESELLER_MAIL_AUTH_SECRET": "s"}).mail_auth_enabled
    assert not load_settings({}).mail_auth_enabled
