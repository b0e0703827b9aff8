"""mail.send's parameters into messages (messages/): validation, x-smtpapi, composition.

The HTTP tests (tests/api/test_mail_send.py) send through a real server and sink; these
pin the rules themselves, each message and each MIME structure, without one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridreseller.api.legacy.mail_request import read_request
from gridreseller.api.legacy.params import Params
from gridreseller.api.mail_form import array_name, mail_params, urlencoded_raw_pairs
from gridreseller.domain.errors import Invalid
from gridreseller.messages.compose import compose
from gridreseller.messages.request import MAX_FILE_BYTES, MailRequest
from gridreseller.messages.smtpapi import replace_tags

NOW = datetime(2026, 12, 7, 12, 0, 0)
BASE = {"from": "sender@example.com", "subject": "Hello", "text": "Hi."}


def params(
    values: dict[str, str] | None = None,
    uploads: dict[str, bytes] | None = None,
    **arrays: list[str],
) -> Params:
    every = {"to": ["ann@example.com"], **arrays}
    return Params(values={**BASE, **(values or {})}, arrays=every, uploads=uploads or {})


def errors_of(given: Params) -> list[str]:
    with pytest.raises(Invalid) as raised:
        read_request(given)
    return raised.value.errors


def parsed(request: MailRequest, index: int = 0) -> EmailMessage:
    return parse(compose(request, NOW)[index].content)


def parse(content: bytes) -> EmailMessage:
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


# Validation: one message per bad parameter, naming it, all together ----------------------


def test_nothing_given_names_every_required_parameter() -> None:
    assert errors_of(Params()) == [
        "to is required",
        "from is required",
        "subject is required",
        "text or html is required",
    ]


@pytest.mark.parametrize(
    ("values", "arrays", "expected"),
    [
        ({}, {"to": ["not-an-address"]}, "to must be a valid email address"),
        ({}, {"to": ["ann@example.com", "bad"]}, "to must be a valid email address"),
        ({}, {"cc": ["bad"]}, "cc must be a valid email address"),
        ({}, {"bcc": ["bad@"]}, "bcc must be a valid email address"),
        ({}, {"toname": ["A", "B"]}, "toname must have at most as many values as to"),
        ({}, {"ccname": ["A"]}, "ccname must have at most as many values as cc"),
        ({"from": "nobody"}, {}, "from must be a valid email address"),
        ({"replyto": "x@"}, {}, "replyto must be a valid email address"),
        ({"subject": ""}, {}, "subject is required"),
        ({"subject": "a\r\nBcc: x@example.com"}, {}, "subject must not contain line breaks"),
        ({"fromname": "A\nB"}, {}, "fromname must not contain line breaks"),
        ({"text": "", "html": ""}, {}, "text or html is required"),
        ({"date": "yesterday"}, {}, "date must be an RFC 5322 date"),
        ({"headers": "[1]"}, {}, "headers must be a JSON object"),
        ({"headers": '{"X-A": 1}'}, {}, "headers must be a JSON object"),
        ({"headers": '{"Subject": "x"}'}, {}, "headers must not set Subject"),
        ({"headers": '{"content-type": "x"}'}, {}, "headers must not set content-type"),
        ({"headers": '{"Received": "x"}'}, {}, "headers must not set Received"),
        ({"headers": '{"X-A": "a\\r\\nBcc: b@example.com"}'}, {}, "headers X-A must not"),
        ({"headers": '{"X A": "b"}'}, {}, "headers 'X A' is not a valid header name"),
        ({"x-smtpapi": "{"}, {}, "x-smtpapi must be a JSON object"),
        ({"x-smtpapi": '{"to": ["bad"]}'}, {}, "x-smtpapi to must be a list"),
        ({"x-smtpapi": '{"category": 5}'}, {}, "x-smtpapi category must be"),
        ({"x-smtpapi": '{"unique_args": {"a": [1]}}'}, {}, "x-smtpapi unique_args must be"),
        ({"content[a.png]": "cid1"}, {}, "content[a.png] must name a file"),
    ],
)
def test_each_rule_names_its_parameter(
    values: dict[str, str], arrays: dict[str, list[str]], expected: str
) -> None:
    given = params(values)
    errors = errors_of(Params(given.values, {**given.arrays, **arrays}))
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors


def test_every_problem_is_reported_together_in_the_parameters_order() -> None:
    given = params(
        {"from": "x", "subject": "", "date": "never", "x-smtpapi": "[]"},
        to=["bad", "worse"],
        cc=["bad"],
    )
    assert [error.split(" ")[0] for error in errors_of(given)] == [
        "to",
        "cc",
        "from",
        "subject",
        "date",
        "x-smtpapi",
    ]


def test_at_most_1000_recipients_to_cc_and_bcc_together() -> None:
    to = [f"r{i}@example.com" for i in range(600)]
    bcc = [f"b{i}@example.com" for i in range(400)]
    read_request(params(to=to, bcc=bcc))
    errors = errors_of(params(to=to, bcc=[*bcc, "one-more@example.com"]))
    assert errors == ["to, cc and bcc may have at most 1000 recipients"]


def test_smtpapi_copies_count_with_their_cc() -> None:
    """500 copies, each to its recipient and the one cc: 1,000 envelope recipients."""
    to = json.dumps({"to": [f"r{i}@example.com" for i in range(500)]})
    assert read_request(params({"x-smtpapi": to}, cc=["c@example.com"])).recipient_count == 1000
    errors = errors_of(params({"x-smtpapi": to}, cc=["c@example.com", "d@example.com"]))
    assert errors == ["to, cc and bcc may have at most 1000 recipients"]


def test_files_at_most_7_mib_each() -> None:
    read_request(params(uploads={"files[a.bin]": b"x" * MAX_FILE_BYTES}))
    errors = errors_of(params(uploads={"files[a.bin]": b"x" * (MAX_FILE_BYTES + 1)}))
    assert errors == ["files[a.bin] must be no more than 7 MiB"]


def test_sub_lists_must_match_the_recipients() -> None:
    api = {"to": ["a@example.com", "b@example.com"], "sub": {"-n-": ["A"]}}
    errors = errors_of(params({"x-smtpapi": json.dumps(api)}))
    assert errors == ["x-smtpapi sub -n- must have 2 values, one per recipient in to"]


# The form's spellings -------------------------------------------------------------------


def test_three_array_spellings_add_up_in_order() -> None:
    pairs: list[tuple[str, bytes | str]] = [
        ("to", "a@example.com"),
        ("to[]", "b@example.com"),
        ("to[0]", "c@example.com"),
        ("toname[1]", "B"),
        ("subject", "s"),
    ]
    form = mail_params(pairs)
    assert form.arrays["to"] == ["a@example.com", "b@example.com", "c@example.com"]
    assert form.arrays["toname"] == ["B"]
    assert form.values == {"subject": "s"}
    assert (array_name("files[0]"), array_name("tox"), array_name("cc[12]")) == (None, None, "cc")


def test_urlencoded_files_keep_their_bytes_and_text_must_be_utf8() -> None:
    raw = urlencoded_raw_pairs(b"files%5Ba.bin%5D=%FF%00%FE+&text=caf%C3%A9")
    form = mail_params(list(raw))
    assert form.uploads == {"files[a.bin]": b"\xff\x00\xfe "}
    assert form.values == {"text": "café"}
    with pytest.raises(Invalid) as raised:
        mail_params(list(urlencoded_raw_pairs(b"subject=%FF")))
    assert raised.value.errors == ["subject must be UTF-8 text"]


# Composition ----------------------------------------------------------------------------


def test_one_message_with_names_reply_to_date_and_custom_headers() -> None:
    request = read_request(
        params(
            {
                "fromname": "Zoë Sender",
                "replyto": "replies@example.com",
                "subject": "Grüße",
                "date": "Thu, 21 Dec 2000 16:01:07 +0200",
                "headers": '{"X-Campaign": "winter"}',
            },
            to=["ann@example.com", "bob@example.com"],
            toname=["Ann A"],
            cc=["cat@example.com"],
            bcc=["hidden@example.com"],
        )
    )
    [copy] = compose(request, NOW)
    assert copy.recipients == (
        "ann@example.com",
        "bob@example.com",
        "cat@example.com",
        "hidden@example.com",
    )
    message = parse(copy.content)
    assert message["From"] == "Zoë Sender <sender@example.com>"
    assert message["To"] == "Ann A <ann@example.com>, bob@example.com"
    assert message["Cc"] == "cat@example.com"
    assert message["Bcc"] is None and b"hidden@" not in copy.content
    assert message["Reply-To"] == "replies@example.com"
    assert message["Subject"] == "Grüße"
    assert b"=?utf-8?" in copy.content  # encoded words: the bytes stay ASCII
    assert copy.content.isascii()
    assert message["Date"] == "Thu, 21 Dec 2000 16:01:07 +0200"
    assert message["X-Campaign"] == "winter"
    assert message["Message-ID"] == copy.message_id
    assert message.get_content_type() == "text/plain"


def test_text_and_html_alternative_attachments_mixed_inline_related() -> None:
    request = read_request(
        params(
            {"html": "<p>Hi <img src=cid:logo1></p>", "content[logo.png]": "logo1"},
            uploads={"files[logo.png]": b"\x89PNG\r\n", "files[report.pdf]": b"%PDF\xff"},
        )
    )
    message = parsed(request)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert (image["Content-ID"], image.get_payload(decode=True)) == ("<logo1>", b"\x89PNG\r\n")
    assert attachment.get_filename() == "report.pdf"
    assert attachment.get_payload(decode=True) == b"%PDF\xff"


def test_smtpapi_one_copy_per_recipient_with_substitutions_and_sections() -> None:
    api = {
        "to": ["a@example.com", "Bea <b@example.com>"],
        "sub": {"-name-": ["Al", "Bea"], "-greet-": ["-hello-", "-hello-"]},
        "section": {"-hello-": "Hello -name-"},
        "category": ["news", "winter"],
        "unique_args": {"batch": "7"},
        "filters": {"ignored": True},
    }
    request = read_request(
        params(
            {"x-smtpapi": json.dumps(api), "subject": "For -name-", "text": "-greet-!"},
            cc=["c@example.com"],
            bcc=["d@example.com"],
        )
    )
    copies = compose(request, NOW)
    assert [c.recipients for c in copies] == [
        ("a@example.com", "c@example.com", "d@example.com"),
        ("b@example.com", "c@example.com", "d@example.com"),
    ]
    first, second = parsed(request, 0), parsed(request, 1)
    assert (first["To"], first["Subject"], first.get_content().strip()) == (
        "a@example.com",
        "For Al",
        "Hello Al!",
    )
    assert (second["To"], second["Subject"], second.get_content().strip()) == (
        "Bea <b@example.com>",
        "For Bea",
        "Hello Bea!",
    )
    assert first["Cc"] == second["Cc"] == "c@example.com"
    assert first["Message-ID"] != second["Message-ID"]
    assert request.smtpapi.categories == ("news", "winter")
    assert dict(request.smtpapi.unique_args) == {"batch": "7"}


def test_the_form_to_is_ignored_when_smtpapi_has_to() -> None:
    api = json.dumps({"to": ["x@example.com"]})
    request = read_request(params({"x-smtpapi": api}, to=["sender@example.com"]))
    assert [c.recipients for c in compose(request, NOW)] == [("x@example.com",)]


def test_a_longer_tag_wins_over_its_prefix() -> None:
    assert replace_tags("-a- -ab-", {"-a": "1", "-ab-": "2", "-a-": "3"}) == "3 2"


def test_default_date_is_now() -> None:
    request = read_request(params())
    assert parsed(request)["Date"].datetime == NOW.replace(tzinfo=UTC)


TEXT = st.text(max_size=30)


@settings(max_examples=300, deadline=None)
@given(name=TEXT, subject=TEXT, body=TEXT, header=TEXT, header_name=TEXT, filename=TEXT, sub=TEXT)
def test_whatever_is_accepted_composes(
    name: str, subject: str, body: str, header: str, header_name: str, filename: str, sub: str
) -> None:
    """A request is refused (400) or built: never an exception from the `email` package
    (which refuses, for one, every line break str.splitlines() knows in a header)."""
    api = {"to": [f"{name} <x@example.com>"], "sub": {"-s-": [sub]}, "section": {"-t-": sub}}
    given = params(
        {
            "fromname": name,
            "subject": f"{subject}-s- -t-",
            "text": body,
            "html": body,
            "headers": json.dumps({header_name or "X-A": header}),
            f"content[{filename}]": name,
            "x-smtpapi": json.dumps(api),
        },
        uploads={f"files[{filename}]": b"x"},
        cc=["c@example.com"],
        ccname=[name],
    )
    try:
        request = read_request(given)
    except Invalid:
        return
    assert all(parse(copy.content)["Subject"] is not None for copy in compose(request, NOW))
