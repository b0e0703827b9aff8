"""/api/mail.send.{json,xml} (docs/api.md) through a real server to a real aiosmtpd sink:
every parameter rule, in both formats, and what the sink received, parsed with the
`email` package: headers, MIME parts, attachment bytes."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_from_bytes, urlencode

import pytest

from tests.api.mail_support import (
    SENDER,
    MailServer,
    assert_sent,
    mail,
    received,
    send,
    sent_entries,
)
from tests.factories import Account, form_pairs
from tests.mail.support import Sink
from tests.support import errors

BAD_LOGIN = "Bad username / password"
BREAKS = "line breaks or control characters"


# The message the sink receives ------------------------------------------------------------


def test_a_message_with_every_header_parameter(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    response = send(
        mail_server,
        fmt,
        sender,
        **mail(
            to=["ann@example.com", "bob@example.com"],
            toname=["Ann Example"],
            cc=["cat@example.com"],
            ccname=["Cat"],
            bcc=["hidden@example.com"],
            fromname="Zoë Sender",
            replyto="replies@example.com",
            subject="Grüße from the API",
            date="Thu, 21 Dec 2000 16:01:07 +0200",
            headers=json.dumps({"X-Campaign": "winter"}),
        ),
    )
    assert_sent(response)
    delivered, parsed = received(sink)
    assert delivered.mail_from == SENDER
    assert delivered.rcpt_tos == [
        "ann@example.com",
        "bob@example.com",
        "cat@example.com",
        "hidden@example.com",
    ]
    assert parsed["From"] == "Zoë Sender <sender@example.com>"
    assert parsed["To"] == "Ann Example <ann@example.com>, bob@example.com"
    assert parsed["Cc"] == "Cat <cat@example.com>"
    assert parsed["Bcc"] is None and b"hidden@example.com" not in delivered.content
    assert parsed["Reply-To"] == "replies@example.com"
    assert parsed["Subject"] == "Grüße from the API"
    assert b"=?utf-8?" in delivered.content.split(b"\r\n\r\n", 1)[0]
    assert parsed["Date"] == "Thu, 21 Dec 2000 16:01:07 +0200"
    assert parsed["X-Campaign"] == "winter"
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith("@example.com>")
    assert delivered.content.startswith(b"Received: ")
    assert b" with HTTP id " in delivered.content.split(b"\r\n\r\n", 1)[0]
    assert f"(authenticated login {sender.username})".encode() in delivered.content
    assert parsed.get_content().strip() == "Hi."


def test_three_array_spellings_add_up(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    pairs = [
        *sender.auth.items(),
        ("to", "a@example.com"),
        ("to[]", "b@example.com"),
        ("to[0]", "c@example.com"),
        ("to[1]", "d@example.com"),
        ("from", SENDER),
        ("subject", "s"),
        ("text", "t"),
    ]
    response = mail_server.client.post(
        f"/api/mail.send.{fmt}",
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_sent(response)
    delivered, _ = received(sink)
    assert delivered.rcpt_tos == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ]


def test_text_html_attachments_and_inline_content_multipart(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    """A multipart body with file parts, as the Node client sends one."""
    logo, report = b"\x89PNG\r\n\x1a\n\x00\xff", bytes(range(256))
    data = {
        **sender.auth,
        "to": "ann@example.com",
        "from": SENDER,
        "subject": "Files",
        "text": "See the report.",
        "html": '<p>See <img src="cid:logo1"></p>',
        "content[logo.png]": "logo1",
    }
    files = {"files[logo.png]": ("logo.png", logo), "files[report.pdf]": ("report.pdf", report)}
    response = mail_server.client.post(f"/api/mail.send.{fmt}", data=data, files=files)
    assert_sent(response)
    _, parsed = received(sink)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.iter_parts()
    assert (text.get_content_type(), text.get_content().strip()) == (
        "text/plain",
        "See the report.",
    )
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html" and "cid:logo1" in html.get_content()
    assert (image["Content-ID"], image.get_payload(decode=True)) == ("<logo1>", logo)
    assert image.get_content_disposition() == "inline"
    assert attachment.get_filename() == "report.pdf"
    assert attachment.get_payload(decode=True) == report


def test_urlencoded_files_are_raw_bytes(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    """The 1.x Python client percent-encodes a file's bytes as they are (not UTF-8)."""
    data = b"\xff\xfe\x00binary\x80"
    body = urlencode([*sender.auth.items(), *form_pairs(**mail())])
    body += "&" + quote_from_bytes(b"files[data.bin]") + "=" + quote_from_bytes(data)
    response = mail_server.client.post(
        f"/api/mail.send.{fmt}",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_sent(response)
    _, parsed = received(sink)
    [attachment] = list(parsed.iter_attachments())
    assert (attachment.get_filename(), attachment.get_payload(decode=True)) == ("data.bin", data)


def test_html_only(mail_server: MailServer, sink: Sink, sender: Account, fmt: str) -> None:
    assert_sent(send(mail_server, fmt, sender, **mail(text=None, html="<b>Hi</b>")))
    _, parsed = received(sink)
    assert parsed.get_content_type() == "text/html"


def test_the_date_defaults_to_now(mail_server: MailServer, sink: Sink, sender: Account) -> None:
    assert_sent(send(mail_server, "json", sender, **mail()))
    _, parsed = received(sink)
    assert parsed["Date"].datetime.tzinfo is not None


def test_smtpapi_copies_substitutions_sections_and_the_audit(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    smtpapi = {
        "to": ["al@example.com", "Bea <bea@example.com>"],
        "sub": {"-name-": ["Al", "Bea"], "-body-": ["-greeting-", "-greeting-"]},
        "section": {"-greeting-": "Dear -name-,"},
        "category": ["newsletter", "winter"],
        "unique_args": {"campaign": "w26"},
        "filters": {"clicktrack": {"settings": {"enable": 1}}},
    }
    params = mail(
        to=[SENDER], cc=["cc@example.com"], bcc=["bcc@example.com"], subject="For -name-",
        text="-body- hello.", **{"x-smtpapi": json.dumps(smtpapi)},
    )  # fmt: skip
    assert_sent(send(mail_server, fmt, sender, **params))
    assert len(sink.messages) == 2
    (first, one), (second, two) = received(sink, 0), received(sink, 1)
    assert first.rcpt_tos == ["al@example.com", "cc@example.com", "bcc@example.com"]
    assert second.rcpt_tos == ["bea@example.com", "cc@example.com", "bcc@example.com"]
    assert (one["To"], one["Subject"], one.get_content().strip()) == (
        "al@example.com", "For Al", "Dear Al, hello.",
    )  # fmt: skip
    assert (two["To"], two["Subject"], two.get_content().strip()) == (
        "Bea <bea@example.com>", "For Bea", "Dear Bea, hello.",
    )  # fmt: skip
    assert one["Cc"] == two["Cc"] == "cc@example.com"
    sent = sent_entries(mail_server, sender, 2)
    assert [e.surface for e in sent] == ["api", "api"]
    assert {e.details["message_id"] for e in sent} == {one["Message-ID"], two["Message-ID"]}
    for entry in sent:
        assert entry.details["recipients"] == 3
        assert entry.details["categories"] == ["newsletter", "winter"]
        assert entry.details["unique_args"] == {"campaign": "w26"}


# Validation: 400, one message per bad parameter, nothing sent ---------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"to": None}, ["to is required"]),
        ({"to": ["ann@example.com", "no-at-sign"]}, ["to must be a valid email address"]),
        ({"toname": ["A", "B"]}, ["toname must have at most as many values as to"]),
        ({"cc": ["x@"]}, ["cc must be a valid email address"]),
        ({"bcc": ["@x"]}, ["bcc must be a valid email address"]),
        ({"from": None}, ["from is required"]),
        ({"from": "me"}, ["from must be a valid email address"]),
        ({"replyto": "you"}, ["replyto must be a valid email address"]),
        ({"subject": ""}, ["subject is required"]),
        ({"subject": "a\nBcc: x@example.com"}, [f"subject must not contain {BREAKS}"]),
        ({"text": None}, ["text or html is required"]),
        (
            {"date": "21/12/2000"},
            ["date must be an RFC 5322 date (Thu, 21 Dec 2000 16:01:07 +0200)"],
        ),
        (
            {"headers": '{"From": "x@example.com"}'},
            ["headers must not set From: mail.send writes it"],
        ),
        (
            {"headers": '{"X-A": "1\\r\\nBcc: y@example.com"}'},
            [f"headers X-A must not contain {BREAKS}"],
        ),
        ({"headers": "not json"}, ["headers must be a JSON object of header name -> string"]),
        ({"content[a.png]": "x"}, ["content[a.png] must name a file given as files[...]"]),
        ({"x-smtpapi": "[]"}, ["x-smtpapi must be a JSON object"]),
        (
            {"x-smtpapi": '{"to": ["a@example.com"], "sub": {"-x-": ["1", "2"]}}'},
            ["x-smtpapi sub -x- must have 1 values, one per recipient in to"],
        ),
        (
            {"x-smtpapi": json.dumps({"category": [f"c{i}" for i in range(11)]})},
            ["x-smtpapi category must be a string or a list of at most 10 strings"],
        ),
        (
            {"x-smtpapi": '{"unique_args": {"a": {"b": 1}}}'},
            ["x-smtpapi unique_args must be an object of strings"],
        ),
        (
            {"to": [f"r{i}@example.com" for i in range(1001)]},
            ["to, cc and bcc may have at most 1000 recipients"],
        ),
    ],
)
def test_each_bad_parameter_is_a_400_naming_it(
    mail_server: MailServer,
    sink: Sink,
    sender: Account,
    fmt: str,
    overrides: dict[str, Any],
    expected: list[str],
) -> None:
    response = send(mail_server, fmt, sender, **mail(**overrides))
    assert response.status_code == 400, response.text
    assert errors(response) == expected
    assert sink.messages == []


def test_every_problem_together(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    response = send(mail_server, fmt, sender, to=["bad"], **{"from": "x", "headers": "[]"})
    assert response.status_code == 400
    assert errors(response) == [
        "to must be a valid email address",
        "from must be a valid email address",
        "subject is required",
        "text or html is required",
        "headers must be a JSON object of header name -> string",
    ]
    assert sink.messages == []


def test_files_over_7_mib(mail_server: MailServer, sink: Sink, sender: Account) -> None:
    files = {"files[big.bin]": ("big.bin", b"x" * (7 * 1024 * 1024 + 1))}
    data = {**sender.auth, **{k: v[0] if isinstance(v, list) else v for k, v in mail().items()}}
    response = mail_server.client.post("/api/mail.send.json", data=data, files=files)
    assert response.status_code == 400
    assert errors(response) == ["files[big.bin] must be no more than 7 MiB"]
    assert sink.messages == []


def test_a_message_over_the_size_limit_is_a_413(
    small_mail_server: MailServer, sink: Sink, fmt: str
) -> None:
    factory = small_mail_server.factory
    customer = factory.customer(factory.distributor())
    response = send(small_mail_server, fmt, customer, **mail(text="x" * 25_000))
    assert response.status_code == 413
    [problem] = errors(response)
    assert problem.startswith("the message must be no more than 20000 bytes")
    body = send(small_mail_server, fmt, customer, **mail(text="x" * 45_000))
    assert body.status_code == 413
    assert errors(body) == ["request body must be no more than 40000 bytes"]
    assert sink.messages == []


def test_5000_parameters_are_allowed(mail_server: MailServer, sink: Sink, sender: Account) -> None:
    """1,000 recipients with their names fit (the other calls stop at 200)."""
    to = [f"r{i}@example.com" for i in range(1000)]
    names = [f"R {i}" for i in range(1000)]
    assert_sent(send(mail_server, "json", sender, **mail(to=to, toname=names)))
    delivered, parsed = received(sink)
    assert len(delivered.rcpt_tos) == 1000
    assert "R 999 <r999@example.com>" in parsed["To"]
    too_many = send(
        mail_server, "json", sender, **mail(to=to, toname=names, cc=["x@example.com"] * 3000)
    )
    assert too_many.status_code == 400
    assert errors(too_many) == ["at most 5000 parameters are allowed"]


def test_get_with_a_query_string(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    """As every call: GET with the parameters in the query string sends too."""
    query = [*sender.auth.items(), *form_pairs(**mail(subject="By GET"))]
    assert_sent(mail_server.client.get(f"/api/mail.send.{fmt}?{urlencode(query)}"))
    _, parsed = received(sink)
    assert parsed["Subject"] == "By GET"
