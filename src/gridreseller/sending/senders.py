"""The sender addresses a message names in its From: headers (docs/smtp.md, "Sender
domains"): read from the header block only, with the `email` package's parser."""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import AddressHeader
from email.parser import BytesHeaderParser

# The end of the header block: the first empty line (CRLF as sent, LF as some tools write).
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# Stands for a From: header that names no readable address: it matches no domain.
UNREADABLE = ""


def from_addresses(message: bytes) -> list[str]:
    """The addresses of every From: header, in order ([] when there is none); a header
    that cannot be read as addresses gives UNREADABLE in their place."""
    end = _HEADER_END.search(message)
    block = message[: end.end()] if end else message
    try:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(block)
        values = headers.get_all("From") or []
        found: list[str] = []
        for value in values:
            addresses = value.addresses if isinstance(value, AddressHeader) else ()
            found += [address.addr_spec for address in addresses] or [UNREADABLE]
    except Exception:  # noqa: BLE001 - a header the parser chokes on is no sender of ours
        return [UNREADABLE]
    return found
