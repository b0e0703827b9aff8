"""The one trace header a relayed message gains (docs/smtp.md; RFC 5321 §4.4), naming
the authenticated login; it goes first, and the message after it is left as it came."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime

from gridreseller.config import Settings

# What a client's EHLO name may be to appear as is: a domain or an address literal.
_HELO_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-_]{0,253})|\[[0-9A-Fa-f.:IPv]{1,60}\]")
_COMMENT_SPECIALS = re.compile(r"([()\\])")


def received_header(
    *,
    helo: str | None,
    client: str,
    hostname: str,
    message_id: str,
    login: str,
    when: datetime,
    protocol: str = "ESMTPSA",
) -> bytes:
    """`Received: from HELO ([IP]) by HOST (gridreseller) with PROTOCOL id ID
    (authenticated login NAME); DATE`, folded, CRLF-terminated (`protocol`: ESMTPSA
    for SMTP submission, HTTP for the Web API)."""
    lines = [
        f"Received: from {_helo_name(helo)} ({_address_literal(client)})",
        f"\tby {hostname} (gridreseller) with {protocol} id {message_id}",
        f"\t(authenticated login {_comment_text(login)});",
        f"\t{format_datetime(when if when.tzinfo else when.replace(tzinfo=UTC))}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _helo_name(helo: str | None) -> str:
    return helo if helo and _HELO_NAME.fullmatch(helo) else "unknown"


def _address_literal(client: str) -> str:
    literal = f"[IPv6:{client}]" if ":" in client else f"[{client}]"
    return literal if _HELO_NAME.fullmatch(literal) else "[unknown]"


def _comment_text(login: str) -> str:
    """Printable ASCII as quoted pairs where needed; anything else as an RFC 2047
    encoded word (allowed in comments), so the header stays ASCII."""
    if login.isascii() and login.isprintable():
        return _COMMENT_SPECIALS.sub(r"\\\1", login)
    return Header(login, "utf-8").encode(linesep="\r\n")


def local_hostname(settings: Settings) -> str:
    """The name in the SMTP greeting and the Received header: GRIDRESELLER_SMTP_HOSTNAME,
    else this host's FQDN."""
    return settings.smtp_hostname or socket.getfqdn()
