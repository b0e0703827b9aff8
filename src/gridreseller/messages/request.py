"""A message to send as mail.send and the v3 mail send describe it (`MailRequest`),
and the rules of its parts that every surface shares.

The legacy API reads one from its parameters (api/legacy/mail_request.py), the v3
surface from its JSON body (messages/v3_body.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from gridreseller.domain import rules
from gridreseller.messages.addresses import MailAddress, has_line_break
from gridreseller.messages.smtpapi import SmtpApi

MAX_FILE_BYTES = 7 * 1024 * 1024
# Headers the call writes itself, and every Content-* header: `headers` may not set them.
RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "reply-to", "message-id"}
    | {"mime-version", "received"}
)
_HEADER_NAME = re.compile(r"[!-9;-~]{1,76}")  # RFC 5322 ftext, a line's worth
LINE_BREAKS_OR_CONTROLS = "line breaks or control characters"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_id: str | None = None  # set: an inline part of the html (`cid:`)
    media_type: str | None = None  # None: guessed from the file's name


@dataclass(frozen=True)
class MailRequest:
    sender: MailAddress
    subject: str
    to: tuple[MailAddress, ...] = ()
    cc: tuple[MailAddress, ...] = ()
    bcc: tuple[MailAddress, ...] = ()
    reply_to: str | None = None
    text: str | None = None
    html: str | None = None
    date: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    smtpapi: SmtpApi = field(default_factory=SmtpApi)

    @property
    def recipient_count(self) -> int:
        """Every envelope recipient of every copy: what the call costs in credits."""
        if self.smtpapi.to:
            return len(self.smtpapi.to) * (1 + len(self.cc) + len(self.bcc))
        return len(self.to) + len(self.cc) + len(self.bcc)


def header_problem(name: str, value: str) -> str | None:
    if not _HEADER_NAME.fullmatch(name):
        return f"headers {name[:80]!r} is not a valid header name"
    lowered = name.lower()
    if lowered in RESERVED_HEADERS or lowered.startswith("content-"):
        return f"headers must not set {name}: mail.send writes it"
    if has_line_break(value) or rules.has_illegal_characters(value):
        return f"headers {name} must not contain {LINE_BREAKS_OR_CONTROLS}"
    return None
