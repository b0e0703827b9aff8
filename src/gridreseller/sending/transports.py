"""Transports: how a message leaves, once its envelope and content are final.

A transport never raises for the upstream's sake; what came of the attempt is a
`Relayed`, in no surface's words: the SMTP server answers with it as SMTP replies
(mail/replies.py), the HTTP `mail.send` as statuses.
"""

from __future__ import annotations

import asyncio
import enum
import mailbox
import threading
from dataclasses import dataclass
from typing import Protocol

from gridreseller.sending.targets import MaildirTarget

CANNOT_RELAY_ADDRESS = "An address of the envelope cannot be relayed"


class Outcome(enum.Enum):
    SENT = "sent"
    # The upstream could not be reached, or answered 4xx: nothing was sent, try later.
    RETRY_LATER = "retry later"
    # The upstream answered 5xx (or an address cannot be relayed at all): not sent.
    REFUSED = "refused"


@dataclass(frozen=True)
class Relayed:
    """What came of one relay attempt.

    `upstream_code` and `upstream_text` are the upstream's last reply (None and a
    description when there was none: unreachable, or REFUSED for an address that no
    SMTP command can carry). `refused_recipient` is the address the upstream refused
    at RCPT TO with a 5xx, if that is what happened.
    """

    outcome: Outcome
    upstream_code: int | None = None
    upstream_text: str = ""
    refused_recipient: str | None = None

    @property
    def sent(self) -> bool:
        return self.outcome is Outcome.SENT


UNREACHABLE = Relayed(Outcome.RETRY_LATER, None, "upstream not available")
UNRELAYABLE = Relayed(Outcome.REFUSED, None, CANNOT_RELAY_ADDRESS)


class Transport(Protocol):
    async def send(
        self, sender: str, recipients: list[str], message: bytes, options: list[str]
    ) -> Relayed:
        """Relay one message with its envelope (`options`: MAIL FROM parameters)."""
        ...

    async def close(self) -> None:
        """Let go of what it keeps (connections), at shutdown."""
        ...


def has_control_character(address: str) -> bool:
    """What no SMTP command (nor header line) can carry as it is."""
    return any(ord(c) < 32 or ord(c) == 127 for c in address)


class MaildirTransport:
    """Each message stored in a Maildir instead of being sent (for trying gridreseller
    without an MTA; never the default). The envelope goes first as headers:
    `Return-Path: <sender>` (as a final delivery writes it, RFC 5321 §4.4) and one
    `X-Envelope-To: <recipient>` per recipient; line ends are LF, as Maildir readers
    expect."""

    def __init__(self, target: MaildirTarget) -> None:
        self.target = target
        # Created now: an unusable path is an error at start, not at the first message.
        # By hand, as each process starting at once may (mailbox's own check races).
        for folder in ("tmp", "new", "cur"):
            (target.path / folder).mkdir(mode=0o700, parents=True, exist_ok=True)
        self._box = mailbox.Maildir(target.path, create=False)
        self._lock = threading.Lock()  # mailbox objects are not thread-safe

    async def send(
        self, sender: str, recipients: list[str], message: bytes, options: list[str]
    ) -> Relayed:
        if any(has_control_character(a) for a in (sender, *recipients)):
            return UNRELAYABLE
        envelope = f"Return-Path: <{sender}>\n" + "".join(
            f"X-Envelope-To: <{recipient}>\n" for recipient in recipients
        )
        content = envelope.encode() + message.replace(b"\r\n", b"\n")
        try:
            key = await asyncio.to_thread(self._add, content)
        except OSError as error:
            return Relayed(Outcome.RETRY_LATER, None, f"cannot write the Maildir: {error}")
        return Relayed(Outcome.SENT, 250, f"2.0.0 Ok: stored in the Maildir as {key}")

    async def close(self) -> None:
        return None

    def _add(self, content: bytes) -> str:
        with self._lock:
            return self._box.add(content)
