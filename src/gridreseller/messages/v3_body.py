"""The v3 mail body (docs/api.md, "POST /v3/mail/send") into one `MailRequest` per
personalization, every problem of the body together with its field path.

Each personalization is one message: its own `To`/`Cc` (and `Bcc` in the envelope
only), its subject or the body's, the body's headers with its own over them, and its
substitutions replacing their keys in its subject and content. Settings the service
does not act on (`tracking_settings`, `asm`, `ip_pool_name`, `batch_id`, the other
`mail_settings`) are accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gridreseller.domain.errors import Invalid, Problem
from gridreseller.messages.addresses import MailAddress
from gridreseller.messages.request import Attachment, MailRequest
from gridreseller.messages.smtpapi import MAX_RECIPIENTS
from gridreseller.messages.v3_parts import (
    Problems,
    address,
    addresses,
    attachments,
    content,
    headers,
    strings,
)

SANDBOX = "mail_settings.sandbox_mode"
MAX_PERSONALIZATIONS = 1000
ORDER = (
    "personalizations", "from", "reply_to", "subject", "content", "attachments", "headers",
    "categories", "custom_args", "mail_settings", "template_id", "send_at",
)  # fmt: skip
MAX_CATEGORIES = 10
MAX_CATEGORY_LENGTH = 255
NO_TEMPLATES = "template_id is not supported: templates are not stored here; send the content"
NO_SCHEDULING = "send_at in the future is not supported: scheduled sending is not offered"


@dataclass(frozen=True)
class Personalized:
    """One message to send, and what the audit records of it."""

    request: MailRequest
    custom_args: dict[str, str]


@dataclass(frozen=True)
class V3Mail:
    messages: tuple[Personalized, ...]
    categories: tuple[str, ...]
    sandbox: bool  # validate only: nothing is sent

    @property
    def recipient_count(self) -> int:
        return sum(m.request.recipient_count for m in self.messages)


@dataclass(frozen=True)
class _Shared:
    """What every personalization starts from."""

    sender: MailAddress | None
    reply_to: MailAddress | None
    subject: str | None
    text: str | None
    html: str | None
    headers: dict[str, str]
    attachments: tuple[Attachment, ...]
    custom_args: dict[str, str]


def read_v3_mail(body: object, now: datetime) -> V3Mail:
    """The body's messages, or Invalid with every problem (field paths, in body order)."""
    problems = Problems()
    if not isinstance(body, dict):
        problems.add(None, "the request body must be a JSON object")
        raise Invalid(problems.found)
    _unsupported(problems, body, now)
    people = _personalizations(problems, body.get("personalizations"))
    shared = _shared(problems, body)
    categories = _categories(problems, body.get("categories"))
    sandbox = _sandbox(problems, body.get("mail_settings"))
    messages = [
        _personalized(problems, shared, index, given)
        for index, given in enumerate(people)
        if given is not None
    ]
    if shared.subject is None and any(m and not m.request.subject for m in messages):
        problems.add("subject", "subject is required unless every personalization has one")
    mail = V3Mail(tuple(m for m in messages if m is not None), categories, sandbox)
    if mail.recipient_count > MAX_RECIPIENTS:
        message = f"personalizations may have at most {MAX_RECIPIENTS} recipients in all"
        problems.add("personalizations", message)
    if problems.found:
        ordered: list[Problem] = sorted(problems.found, key=_position)
        raise Invalid(ordered)
    return mail


def _position(problem: Problem) -> tuple[int, int]:
    """Problems in the order of the body's documented members, a list's by its items
    (stable within one item)."""
    top, _, rest = (problem.field or "").partition(".")
    item = rest.split(".", 1)[0]
    return (ORDER.index(top) if top in ORDER else len(ORDER), int(item) if item.isdigit() else -1)


def _unsupported(problems: Problems, body: Mapping[str, Any], now: datetime) -> None:
    if body.get("template_id") is not None:
        problems.add("template_id", NO_TEMPLATES)
    send_at = body.get("send_at")
    if send_at is None:
        return
    if isinstance(send_at, bool) or not isinstance(send_at, int) or send_at < 0:
        problems.add("send_at", "send_at must be a UNIX timestamp (whole seconds)")
    elif send_at > now.replace(tzinfo=now.tzinfo or UTC).timestamp():
        problems.add("send_at", NO_SCHEDULING)


def _personalizations(problems: Problems, value: object) -> list[Mapping[str, Any] | None]:
    """Each personalization's object (None for one that is not: its problem is said)."""
    given = problems.array("personalizations", value, required=True)
    if isinstance(value, list) and not value:
        problems.add("personalizations", "personalizations must have at least one item")
    if len(given) > MAX_PERSONALIZATIONS:
        limit = MAX_PERSONALIZATIONS
        problems.add("personalizations", f"personalizations may have at most {limit} items")
        return []
    found = []
    for index, item in enumerate(given):
        path = f"personalizations.{index}"
        found.append(problems.mapping(path, item if item is not None else []))
    return found


def _shared(problems: Problems, body: Mapping[str, Any]) -> _Shared:
    sender = address(problems, "from", body.get("from"))
    reply = body.get("reply_to")
    text, html = content(problems, body.get("content"))
    return _Shared(
        sender=sender,
        reply_to=address(problems, "reply_to", reply) if reply is not None else None,
        subject=problems.line("subject", body.get("subject")),
        text=text,
        html=html,
        headers=headers(problems, "headers", body.get("headers")),
        attachments=tuple(attachments(problems, body.get("attachments"))),
        custom_args=strings(problems, "custom_args", body.get("custom_args")),
    )


def _personalized(
    problems: Problems, shared: _Shared, index: int, given: Mapping[str, Any]
) -> Personalized | None:
    path = f"personalizations.{index}"
    before = len(problems.found)
    to = addresses(problems, f"{path}.to", given.get("to"), required=True)
    cc = addresses(problems, f"{path}.cc", given.get("cc"), required=False)
    bcc = addresses(problems, f"{path}.bcc", given.get("bcc"), required=False)
    _once_each(problems, path, given)
    subject = problems.line(f"{path}.subject", given.get("subject"))
    own_headers = headers(problems, f"{path}.headers", given.get("headers"))
    substitutions = strings(problems, f"{path}.substitutions", given.get("substitutions"))
    custom_args = strings(problems, f"{path}.custom_args", given.get("custom_args"))
    if len(problems.found) > before or shared.sender is None:
        return None

    def personal(text: str | None) -> str | None:
        return _substituted(text, substitutions) if text is not None else None

    request = MailRequest(
        sender=shared.sender,
        subject=personal(subject or shared.subject) or "",  # line breaks: compose.py
        to=tuple(to),
        cc=tuple(cc),
        bcc=tuple(bcc),
        reply_to=shared.reply_to.address if shared.reply_to else None,
        text=personal(shared.text),
        html=personal(shared.html),
        headers=tuple({**shared.headers, **own_headers}.items()),
        attachments=shared.attachments,
    )
    return Personalized(request, {**shared.custom_args, **custom_args})


def _once_each(problems: Problems, path: str, given: Mapping[str, Any]) -> None:
    """An address at most once across the personalization's to, cc and bcc."""
    seen: set[str] = set()
    for kind in ("to", "cc", "bcc"):
        items = given.get(kind)
        for index, item in enumerate(items if isinstance(items, list) else []):
            email = item.get("email") if isinstance(item, dict) else None
            if not isinstance(email, str):
                continue
            key = email.lower()
            if key in seen:
                where = f"{path}.{kind}.{index}.email"
                problems.add(where, f"{where} {email} appears more than once in to, cc and bcc")
            seen.add(key)


def _categories(problems: Problems, value: object) -> tuple[str, ...]:
    given = problems.array("categories", value)
    if len(given) > MAX_CATEGORIES:
        problems.add("categories", f"categories may have at most {MAX_CATEGORIES} items")
        return ()
    found = []
    for index, item in enumerate(given):
        category = problems.line(f"categories.{index}", item, required=True)
        if category is not None and len(category) > MAX_CATEGORY_LENGTH:
            path = f"categories.{index}"
            problems.add(path, f"{path} must be no more than {MAX_CATEGORY_LENGTH} characters")
        elif category is not None:
            found.append(category)
    return tuple(found)


def _sandbox(problems: Problems, value: object) -> bool:
    settings = problems.mapping("mail_settings", value) or {}
    mode = problems.mapping(f"{SANDBOX}", settings.get("sandbox_mode")) or {}
    enable = mode.get("enable", False)
    if not isinstance(enable, bool):
        problems.add(f"{SANDBOX}.enable", f"{SANDBOX}.enable must be true or false")
        return False
    return enable


def _substituted(text: str, substitutions: Mapping[str, str]) -> str:
    for key, value in substitutions.items():
        if key:
            text = text.replace(key, value)
    return text
