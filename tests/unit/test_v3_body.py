"""The v3 mail body (messages/v3_body.py, docs/api.md "POST /v3/mail/send") without a
server: personalizations into requests, and a property: whatever is accepted builds
into messages the `email` package parses back."""

from __future__ import annotations

import base64
from datetime import datetime
from email import message_from_bytes, policy
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from gridreseller.domain.errors import Invalid
from gridreseller.messages.compose import compose
from gridreseller.messages.v3_body import read_v3_mail

NOW = datetime(2026, 12, 7, 12, 0, 0)


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "personalizations": [{"to": [{"email": "ann@example.com"}]}],
        "from": {"email": "s@example.com"},
        "subject": "Hi -n-",
        "content": [{"type": "text/plain", "value": "Dear -n-"}],
        **overrides,
    }


def test_substitutions_headers_and_custom_args_per_personalization() -> None:
    mail = read_v3_mail(
        body(
            personalizations=[
                {
                    "to": [{"email": "a@example.com"}],
                    "substitutions": {"-n-": "A\nB"},
                    "headers": {"X-One": "mine"},
                    "custom_args": {"k": "own"},
                },
                {"to": [{"email": "b@example.com"}], "subject": "Own"},
            ],
            headers={"X-One": "shared", "X-Two": "2"},
            custom_args={"k": "shared", "j": "1"},
        ),
        NOW,
    )
    first, second = mail.messages
    assert first.request.subject == "Hi A\nB"  # compose writes the line break as a space
    assert first.request.text == "Dear A\nB"
    assert dict(first.request.headers) == {"X-One": "mine", "X-Two": "2"}
    assert first.custom_args == {"k": "own", "j": "1"}
    assert (second.request.subject, dict(second.request.headers)["X-One"]) == ("Own", "shared")
    [copy] = compose(first.request, NOW)
    parsed = message_from_bytes(copy.content, policy=policy.default)
    assert parsed["Subject"] == "Hi A B"


def test_a_send_at_in_the_past_is_ignored_and_unknown_members_too() -> None:
    mail = read_v3_mail(body(send_at=int(NOW.timestamp()) - 60, dynamic_template_data={}), NOW)
    assert len(mail.messages) == 1 and not mail.sandbox


@pytest.mark.parametrize("value", [True, 1.5, -1])
def test_send_at_must_be_a_timestamp(value: object) -> None:
    with pytest.raises(Invalid) as raised:
        read_v3_mail(body(send_at=value), NOW)
    assert raised.value.errors == ["send_at must be a UNIX timestamp (whole seconds)"]


# Text every field takes (no control characters, not empty); one field at a time gets
# anything at all instead, so that most examples are accepted and get built.
CLEAN = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x24F, blacklist_categories=("Cc", "Cs")),
    min_size=1,
    max_size=20,
)
ASCII = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)
MEDIA = st.sampled_from(["image/png", "text/plain", "application/pdf", "application/x.a+b"])
FIELDS = (
    "name", "subject", "value", "header", "header_name", "filename", "content_id",
    "media_type", "key", "replacement", "category",
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    clean=st.fixed_dictionaries(
        {
            "name": CLEAN,
            "subject": CLEAN,
            "value": CLEAN,
            "header": CLEAN,
            "header_name": st.sampled_from(["X-Campaign", "X-Tag", "List-Id"]),
            "filename": CLEAN,
            "content_id": ASCII,
            "media_type": MEDIA,
            "key": CLEAN,
            "replacement": CLEAN,
            "category": CLEAN,
        }
    ),
    odd_field=st.sampled_from((None, *FIELDS)),
    odd_value=st.text(max_size=30),
)
def test_whatever_is_accepted_builds(
    clean: dict[str, str], odd_field: str | None, odd_value: str
) -> None:
    """Invalid, or messages the `email` package writes and parses back: never another
    exception (a server error)."""
    values = {**clean, **({odd_field: odd_value} if odd_field else {})}
    document = body(
        personalizations=[
            {
                "to": [{"email": "ann@example.com", "name": values["name"]}],
                "substitutions": {values["key"]: values["replacement"]},
                "headers": {values["header_name"]: values["header"]},
            }
        ],
        subject=values["subject"],
        content=[
            {"type": "text/plain", "value": values["value"]},
            {"type": "text/html", "value": values["value"]},
        ],
        attachments=[
            {
                "content": base64.b64encode(b"data").decode(),
                "filename": values["filename"],
                "type": values["media_type"],
                "disposition": "inline",
                "content_id": values["content_id"],
            }
        ],
        categories=[values["category"]],
    )
    try:
        mail = read_v3_mail(document, NOW)
    except Invalid:
        event("refused")
        return
    event("accepted")
    for message in mail.messages:
        for copy in compose(message.request, NOW):
            assert message_from_bytes(copy.content, policy=policy.default)["To"]
