"""The message log: one line per message a login tried to send, on either surface
(never its content, never a password). Logged as `gridreseller.mail`, the name
operators already filter on."""

from __future__ import annotations

import json
import logging

from gridreseller.domain.access import Principal
from gridreseller.domain.audit import printable

log = logging.getLogger("gridreseller.mail")


def log_message(
    verdict: str,
    principal: Principal,
    sender: str,
    recipients: int,
    size: int,
    upstream: int | None,
    reply: str,
) -> None:
    """`message VERDICT login=… client=… from=… recipients=N size=N upstream=CODE
    reply=…`, where `reply` is what the surface answered."""
    log.info(
        "message %s login=%s client=%s from=%s recipients=%d size=%d upstream=%s reply=%s",
        verdict,
        _quoted(principal.username),
        _quoted(principal.client),
        _quoted(sender),
        recipients,
        size,
        upstream or "-",
        _quoted(reply),
    )


def _quoted(text: str) -> str:
    """`text` as a JSON string, its control characters escaped first. Most texts are
    printable ASCII without a quote or backslash, which JSON writes as they are: those
    skip the escaping's two passes (four texts a message)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(printable(text), ensure_ascii=False)
