"""Addresses as mail.send takes them: an address alone, or `Name <address>`."""

from __future__ import annotations

from email.utils import parseaddr
from typing import NamedTuple

from gridreseller.domain import rules


class MailAddress(NamedTuple):
    address: str
    name: str = ""


def is_mail_address(value: str) -> bool:
    """A valid address in ASCII (an internationalized domain in its xn-- form): what
    every relay takes without the SMTPUTF8 extension."""
    return value.isascii() and not rules.has_illegal_characters(value) and rules.is_email(value)


def parse_mailbox(value: str) -> MailAddress | None:
    """`a@example.com` or `Name <a@example.com>`; None when it is neither."""
    if rules.has_illegal_characters(value):
        return None
    if is_mail_address(value.strip()):
        return MailAddress(value.strip())
    name, address = parseaddr(value)
    return MailAddress(address, name) if address and is_mail_address(address) else None
