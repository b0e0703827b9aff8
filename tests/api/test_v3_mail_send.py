"""POST /v3/mail/send (docs/api.md, "The v3 API") through a real server to a real
aiosmtpd sink: the messages built, every problem of a body together with its field
path, sandbox mode, the relay's answers, credits all or none, the audit."""

from __future__ import annotations

import base64
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from tests.api.mail_support import MailServer, sent_entries
from tests.api.test_mail_send_access import _limited_customer, remaining
from tests.api.v3_support import FORBIDDEN, basic, bearer, new_key, problem, v3
from tests.factories import Account
from tests.mail.support import DEFERRED, REJECTED, Sink
from tests.support import Clock

SENDER = "sender@example.com"


def body(**overrides: Any) -> dict[str, Any]:
    """A message that sends: one personalization, one recipient, a subject, a text."""
    return {
        "personalizations": [{"to": [{"email": "ann@example.com"}]}],
        "from": {"email": SENDER},
        "subject": "Hello",
        "content": [{"type": "text/plain", "value": "Hi."}],
        **overrides,
    }


def parsed(content: bytes) -> EmailMessage:
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def sender(mail_server: MailServer) -> Account:
    return mail_server.factory.customer(mail_server.factory.distributor())


@pytest.fixture
def key(mail_server: MailServer, sender: Account) -> str:
    return new_key(mail_server, sender)


def send(server: MailServer, key: str, document: Any, **headers: str) -> httpx.Response:
    return v3(server, "POST", "mail/send", bearer(key), document, **headers)


def assert_accepted(response: httpx.Response) -> None:
    assert response.status_code == 202, response.text
    assert response.content == b""
    assert response.headers["x-message-id"]


def test_each_personalization_is_one_message(
    mail_server: MailServer, sink: Sink, sender: Account, key: str
) -> None:
    logo = bytes(range(256))
    document = body(
        personalizations=[
            {
                "to": [{"email": "ann@example.com", "name": "Ann Example"}],
                "cc": [{"email": "cat@example.com", "name": "Cat"}],
                "bcc": [{"email": "hidden@example.com"}],
                "substitutions": {"-name-": "Ann"},
                "custom_args": {"order": "17"},
                "headers": {"X-Campaign": "first"},
            },
            {
                "to": [{"email": "bob@example.com"}],
                "subject": "Own subject -name-",
                "substitutions": {"-name-": "Bob"},
            },
        ],
        reply_to={"email": "replies@example.com"},
        subject="Hello -name-",
        content=[
            {"type": "text/plain", "value": "Dear -name-."},
            {"type": "text/html", "value": '<p>Dear -name-.</p><img src="cid:logo">'},
        ],
        attachments=[
            {
                "content": base64.b64encode(b"a,b\n").decode(),
                "filename": "data.csv",
                "type": "text/csv",
            },
            {
                "content": base64.b64encode(logo).decode(),
                "filename": "logo.png",
                "type": "image/png",
                "disposition": "inline",
                "content_id": "logo",
            },
        ],
        headers={"X-Campaign": "shared", "X-Shared": "yes"},
        categories=["news", "weekly"],
        custom_args={"batch": "b1"},
        tracking_settings={"click_tracking": {"enable": True}},
        asm={"group_id": 1},
        ip_pool_name="pool",
        batch_id="batch",
        send_at=1,
        **{"from": {"email": SENDER, "name": "Zoë Sender"}},
    )
    assert_accepted(send(mail_server, key, document))
    first, second = sink.messages
    assert first.mail_from == SENDER
    assert first.rcpt_tos == ["ann@example.com", "cat@example.com", "hidden@example.com"]
    assert second.rcpt_tos == ["bob@example.com"]
    one, two = parsed(first.content), parsed(second.content)
    assert one["To"] == "Ann Example <ann@example.com>"
    assert one["Cc"] == "Cat <cat@example.com>"
    assert one["Bcc"] is None
    assert one["From"] == "Zoë Sender <sender@example.com>"
    assert one["Reply-To"] == "replies@example.com"
    assert (one["Subject"], two["Subject"]) == ("Hello Ann", "Own subject Bob")
    assert (one["X-Campaign"], one["X-Shared"], two["X-Campaign"]) == ("first", "yes", "shared")
    assert f"(authenticated login {sender.username})" in one["Received"]
    assert " with HTTP id " in one["Received"]
    text, html = one.get_body(("plain",)), one.get_body(("html",))
    assert text is not None and text.get_content().strip() == "Dear Ann."
    assert html is not None and "Dear Ann." in html.get_content()
    [attachment] = list(one.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == ("data.csv", "text/csv")
    assert attachment.get_payload(decode=True) == b"a,b\n"
    [inline] = [p for p in one.walk() if p.get("Content-ID") == "<logo>"]
    assert (inline.get_content_type(), inline.get_payload(decode=True)) == ("image/png", logo)
    entries = sent_entries(mail_server, sender, 2)
    details = sorted((e.details["recipients"], e.details["custom_args"]) for e in entries)
    assert details == [(1, {"batch": "b1"}), (3, {"batch": "b1", "order": "17"})]
    assert all(e.details["categories"] == ["news", "weekly"] for e in entries)
    assert all(e.surface == "api" for e in entries)


def test_every_problem_of_a_body_together(mail_server: MailServer, sink: Sink, key: str) -> None:
    document = {
        "personalizations": [
            {"to": [{"email": "no-at-sign"}, {"name": "x"}], "cc": "a@example.com"},
            {"to": []},
            {"to": [{"email": "a@example.com"}], "bcc": [{"email": "A@example.com"}]},
            "nope",
        ],
        "from": {"name": "No Address"},
        "reply_to": {"email": "broken"},
        "subject": "two\nlines",
        "content": [
            {"type": "text/html", "value": "<p>x</p>"},
            {"type": "text/plain", "value": ""},
        ],
        "attachments": [{"content": "%%%", "filename": "a.bin", "disposition": "inline"}],
        "headers": {"Subject": "mine"},
        "categories": ["c"] * 11,
        "custom_args": {"n": 1},
        "mail_settings": {"sandbox_mode": {"enable": "yes"}},
    }
    response = send(mail_server, key, document)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "personalizations.0.to.0.email",
                "message": "personalizations.0.to.0.email must be a valid email address",
            },
            {
                "field": "personalizations.0.to.1.email",
                "message": "personalizations.0.to.1.email is required",
            },
            {"field": "personalizations.0.cc", "message": "personalizations.0.cc must be an array"},
            {
                "field": "personalizations.1.to",
                "message": "personalizations.1.to must have at least one address",
            },
            {
                "field": "personalizations.2.bcc.0.email",
                "message": "personalizations.2.bcc.0.email A@example.com appears more than "
                "once in to, cc and bcc",
            },
            {"field": "personalizations.3", "message": "personalizations.3 must be an object"},
            {"field": "from.email", "message": "from.email is required"},
            {"field": "reply_to.email", "message": "reply_to.email must be a valid email address"},
            {
                "field": "subject",
                "message": "subject must not contain line breaks or control characters",
            },
            {
                "field": "content.1.type",
                "message": "content.1.type text/plain must come first in content",
            },
            {"field": "content.1.value", "message": "content.1.value must be a non-empty string"},
            {"field": "attachments.0.content", "message": "attachments.0.content must be base64"},
            {
                "field": "attachments.0.content_id",
                "message": "attachments.0.content_id is required for inline",
            },
            {
                "field": "headers.Subject",
                "message": "headers must not set Subject: the call writes it",
            },
            {"field": "categories", "message": "categories may have at most 10 items"},
            {"field": "custom_args", "message": "custom_args must be an object of strings"},
            {
                "field": "mail_settings.sandbox_mode.enable",
                "message": "mail_settings.sandbox_mode.enable must be true or false",
            },
        ]
    }
    assert sink.messages == []


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {},
            [
                ("personalizations", "personalizations is required"),
                ("from.email", "from.email is required"),
                ("content", "content is required"),
            ],
        ),
        (
            body(personalizations=[]),
            [("personalizations", "personalizations must have at least one item")],
        ),
        (
            body(subject=None),
            [("subject", "subject is required unless every personalization has one")],
        ),
        (body(content=[]), [("content", "content must have at least one value")]),
        (
            body(content=[{"type": "text/calendar", "value": "x"}]),
            [("content.0.type", "content.0.type must be text/plain or text/html")],
        ),
        (
            body(template_id="d-123"),
            [
                (
                    "template_id",
                    "template_id is not supported: templates are not stored here; send the content",
                )
            ],
        ),
        (
            body(send_at=4_102_444_800),
            [
                (
                    "send_at",
                    "send_at in the future is not supported: scheduled sending is not offered",
                )
            ],
        ),
        (body(send_at="soon"), [("send_at", "send_at must be a UNIX timestamp (whole seconds)")]),
        (
            body(attachments=[{"content": "AAAA", "filename": "a", "type": "multipart/mixed"}]),
            [("attachments.0.type", "attachments.0.type must be a media type such as text/plain")],
        ),
        (
            body(personalizations=[{"to": [{"email": f"r{i}@example.com"} for i in range(1001)]}]),
            [("personalizations", "personalizations may have at most 1000 recipients in all")],
        ),
        (
            body(personalizations=[{"to": [{"email": "a@example.com"}]}] * 1001),
            [("personalizations", "personalizations may have at most 1000 items")],
        ),
        ([], [(None, "the request body must be a JSON object")]),
    ],
)
def test_refused_bodies(
    mail_server: MailServer,
    sink: Sink,
    key: str,
    document: Any,
    expected: list[tuple[str | None, str]],
) -> None:
    response = send(mail_server, key, document)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": f, "message": m} for f, m in expected]}
    assert sink.messages == []


def test_sandbox_mode_validates_and_sends_nothing(
    mail_server: MailServer, sink: Sink, sender: Account, key: str
) -> None:
    sandbox = {"sandbox_mode": {"enable": True}}
    response = send(mail_server, key, body(mail_settings=sandbox))
    assert (response.status_code, response.content) == (200, b"")
    refused = send(mail_server, key, body(mail_settings=sandbox, subject=None))
    assert refused.status_code == 400
    assert sink.messages == []
    assert_accepted(send(mail_server, key, body(mail_settings={"sandbox_mode": {"enable": False}})))
    assert len(sink.messages) == 1


def test_a_key_without_mail_send_is_403(
    mail_server: MailServer, sink: Sink, sender: Account
) -> None:
    key = new_key(mail_server, sender, scopes=["scopes.read"])
    response = send(mail_server, key, body())
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert sink.messages == []


def test_a_recipient_refused_with_5xx_is_a_400_naming_it(
    mail_server: MailServer, sink: Sink, key: str
) -> None:
    document = body(
        personalizations=[{"to": [{"email": "ok@example.com"}], "cc": [{"email": REJECTED}]}]
    )
    response = send(mail_server, key, document)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "personalizations.0.cc.0.email"
    assert error["message"].startswith(f"{REJECTED} was refused by the mail relay (550")
    assert sink.messages == []


def test_an_upstream_4xx_is_a_503_with_retry_after(
    mail_server: MailServer, sink: Sink, key: str
) -> None:
    document = body(personalizations=[{"to": [{"email": DEFERRED}]}])
    response = send(mail_server, key, document)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    [error] = response.json()["errors"]
    assert error["field"] is None
    assert error["message"].startswith("the mail relay cannot take the message now (451")


def test_an_upstream_that_is_down_is_a_503(down_mail_server: MailServer) -> None:
    factory = down_mail_server.factory
    key = new_key(down_mail_server, factory.customer(factory.distributor()))
    response = send(down_mail_server, key, body())
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0


def test_no_relay_is_a_503(database_url: str, clock: Clock) -> None:
    server = MailServer(database_url, clock)
    try:
        key = new_key(server, server.factory.customer(server.factory.distributor()))
        response = send(server, key, body())
        assert response.status_code == 503
        assert response.json() == problem(
            None, "sending is not configured (GRIDRESELLER_RELAY is not set)"
        )
    finally:
        server.stop()


def test_a_message_over_the_size_limit_is_a_413(small_mail_server: MailServer, sink: Sink) -> None:
    factory = small_mail_server.factory
    key = new_key(small_mail_server, factory.customer(factory.distributor()))
    response = send(
        small_mail_server, key, body(content=[{"type": "text/plain", "value": "x" * 25_000}])
    )
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["message"].startswith(
        "personalizations.0: the message must be no more than 20000 bytes"
    )
    large = send(
        small_mail_server, key, body(content=[{"type": "text/plain", "value": "x" * 45_000}])
    )
    assert large.status_code == 413
    assert large.json() == problem(None, "request body must be no more than 40000 bytes")
    assert sink.messages == []


def test_credits_all_or_none_and_given_back(mail_server: MailServer, sink: Sink) -> None:
    distributor, customer = _limited_customer(mail_server, 3)
    key = new_key(mail_server, customer)
    two = body(
        personalizations=[
            {"to": [{"email": "a@example.com"}]},
            {"to": [{"email": "b@example.com"}]},
        ]
    )
    assert_accepted(send(mail_server, key, two))
    assert remaining(mail_server, distributor, customer) == 1
    response = send(mail_server, key, two)
    assert response.status_code == 403
    assert response.json() == problem(None, "not enough sending credits left for this account")
    assert remaining(mail_server, distributor, customer) == 1
    refused = body(personalizations=[{"to": [{"email": REJECTED}]}])
    assert send(mail_server, key, refused).status_code == 400
    assert remaining(mail_server, distributor, customer) == 1
    assert len(sink.messages) == 2


def test_basic_login_sends_too(mail_server: MailServer, sink: Sink, sender: Account) -> None:
    assert_accepted(v3(mail_server, "POST", "mail/send", basic(sender), body()))
    assert len(sink.messages) == 1
