"""A request body, read whole within a limit (every surface's: docs/api.md)."""

from __future__ import annotations

from starlette.types import Receive, Scope

from gridreseller.config import Settings
from gridreseller.http.headers import declared_length
from gridreseller.http.problems import BodyCutOff, BodyTooLarge


def mail_body_limit(settings: Settings) -> int:
    """A mail send's body (the legacy mail.send's form, the v3 JSON): room for a whole
    message, base64 or percent-encoding it as clients do."""
    return 2 * settings.max_message_bytes


def refuse_declared(scope: Scope, limit: int) -> None:
    """BodyTooLarge for a Content-Length over `limit`, before a byte of it is read."""
    length = declared_length(scope)
    if length is not None and length > limit:
        raise BodyTooLarge(limit)


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body; BodyTooLarge once it passes `limit` (chunked or not), BodyCutOff
    when the client goes away before its end."""
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise BodyCutOff()
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
