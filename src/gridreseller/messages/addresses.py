"""Addresses as mail.send takes them: an address alone, or `Name <address>`."""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import NamedTuple

from gridreseller.domain import rules

# What ends a line somewhere: CR, LF and the other characters str.splitlines() splits
# at (the `email` package refuses every one of them in a header value).
LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def has_line_break(value: str) -> bool:
    return LINE_BREAKS.search(value) is not None


class MailAddress(NamedTuple):
    address: str
    name: str = ""


def is_mail_address(value: str) -> bool:
    """A valid address in ASCII (an internationalized domain in its xn-- form): what
    every relay takes without the SMTPUTF8 extension."""
    return value.isascii() and not rules.has_illegal_characters(value) and rules.is_email(value)


def parse_mailbox(value: str) -> MailAddress | None:
    """`a@example.com` or `Name <a@example.com>`; None when it is neither."""
    if rules.has_illegal_characters(value) or has_line_break(value):
        return None
    if is_mail_address(value.strip()):
        return MailAddress(value.strip())
    name, address = parseaddr(value)
    return MailAddress(address, name) if address and is_mail_address(address) else None
