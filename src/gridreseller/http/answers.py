"""Whole answers: a body of bytes with its length, type and the security headers."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

# On every answer of the API, the v3 surface and `/`: no content sniffing, and no
# caching of account data.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
RAW_SECURITY_HEADERS = [
    (name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
]


class Answer:
    """A whole body, sent as one ASGI response.

    Starlette's Response does the same with more generality (charsets, cookies,
    background tasks) than a body of bytes needs; building it was a twentieth of
    a cached read.
    """

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, body: bytes, headers: list[tuple[bytes, bytes]], status: int) -> None:
        self.body = body
        self.headers = headers
        self.status_code = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def body_response(
    body: bytes, media_type: str, status: int = 200, headers: dict[str, str] | None = None
) -> Answer:
    raw = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", media_type.encode()),
        *RAW_SECURITY_HEADERS,
    ]
    if headers:
        raw.extend(
            (name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()
        )
    return Answer(body, raw, status)
