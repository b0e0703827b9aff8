"""uvicorn, bounded: what `serve` and the tests run the ASGI app in.

uvicorn's httptools protocol, as it comes, waits forever for a request's headers
and body, keeps headers of any size in memory, and waits forever for a client that
stops reading its answer. A public server needs bounds on each, so this subclass
adds them (uvicorn has settings for none of them with httptools):

- a connection's request headers must arrive within `header_timeout` and fit in
  `max_header_bytes` (else 431, or the connection is closed);
- a request body must arrive within `body_timeout` of its headers;
- a client that reads nothing of its answer for `send_timeout` is dropped;
- at most `max_connections` connections are open at once (more are closed at once);
- what the parser refuses gets the API's error envelope with nosniff instead of
  uvicorn's plain-text 400: an unknown method token a 405, anything else (bytes
  above 0x7F in the URL, a duplicate or negative Content-Length...) a 400.

It also sends each answer in one write instead of uvicorn's two (HeadHeldTransport),
sets a request's clocks only when a read leaves it unfinished, and keeps one lazy
keep-alive clock per connection instead of a timer set and cancelled per request:
each was a measurable part of a cached read.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gridreseller.config import Settings, load_settings


@dataclass(frozen=True)
class ServerLimits:
    """The bounds, as the settings give them (their defaults are in config.py)."""

    max_header_bytes: int
    header_timeout: float
    body_timeout: float
    send_timeout: float
    max_connections: int
    keep_alive_timeout: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLimits:
        return cls(
            max_header_bytes=settings.max_header_bytes,
            header_timeout=settings.header_timeout_seconds,
            body_timeout=settings.body_timeout_seconds,
            send_timeout=settings.send_timeout_seconds,
            max_connections=settings.max_connections,
            keep_alive_timeout=settings.keep_alive_seconds,
        )


def _plain_answer(status: bytes, body: bytes, *headers: bytes) -> bytes:
    body += b"\n"  # as every API answer ends (docs/decisions.md)
    lines = [
        b"HTTP/1.1 " + status,
        b"content-type: application/json",
        b"x-content-type-options: nosniff",
        b"cache-control: no-store",
        b"connection: close",
        b"content-length: " + str(len(body)).encode(),
        *headers,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


TOO_LARGE = _plain_answer(
    b"431 Request Header Fields Too Large",
    b'{"message":"error","errors":["request headers are too large"]}',
)
NOT_HTTP = _plain_answer(
    b"400 Bad Request", b'{"message":"error","errors":["the request is not valid HTTP/1.1"]}'
)
UNKNOWN_METHOD = _plain_answer(
    b"405 Method Not Allowed",
    b'{"message":"error","errors":["this method is not allowed; use GET or POST"]}',
    b"allow: GET, POST",
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """A module-level class, so that uvicorn's worker processes can load it; its
    limits come from the environment's settings unless a subclass sets them."""

    limits: ClassVar[ServerLimits | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bounds = type(self).limits or _environment_limits()
        self._header_bytes = 0
        self._in_headers = True
        # Between a request's first byte and its last (llhttp's message begin and end).
        self._in_request = False
        self._finished = 0  # requests read whole on this connection
        self._timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None
        # The keep-alive clock: when the connection last fell idle (None: busy), and
        # one timer that looks at it (uvicorn's own sets and cancels one per request).
        self._idle_since: float | None = None
        self._keep_alive_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._answers = HeadHeldTransport(transport)
        if len(self.connections) > self.bounds.max_connections:
            transport.abort()
            return
        self._arm(self.bounds.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        for timer in (self._send_timer, self._keep_alive_timer):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # A read brings at most 256 KiB; what of it is headers, the parser tells.
        self._header_bytes += len(data)
        finished = self._finished
        self._feed(data)
        if self._in_headers and self._header_bytes > self.bounds.max_header_bytes:
            self._refuse(TOO_LARGE)
        elif self._timer is None and (self._in_request or self._finished == finished):
            self._arm_for_the_rest()

    def _arm_for_the_rest(self) -> None:
        """What a read left unfinished gets its clock, from now: a request's headers
        their timeout, its body the body's; bytes that began no request (uvicorn stopped
        its keep-alive clock on them), the headers' timeout. A read that brought whole
        requests, as nearly all do, sets no timer: two timers set and cancelled per
        request were a measurable part of a cached read."""
        self._arm(self.bounds.header_timeout if self._in_headers else self.bounds.body_timeout)

    def on_message_begin(self) -> None:
        self._in_request = True
        super().on_message_begin()

    def _feed(self, data: bytes) -> None:
        """uvicorn's own data_received, but answering what the parser refuses in the
        API's envelope, with nosniff (its except clauses cannot be reached from a
        subclass)."""
        self._idle_since = None
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserInvalidMethodError:
            self._refuse(UNKNOWN_METHOD)
        except httptools.HttpParserError:
            self.logger.info("a request that is not valid HTTP/1.1 was refused")
            self._refuse(NOT_HTTP)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def on_headers_complete(self) -> None:
        self._in_headers, self._header_bytes = False, 0
        self._disarm()
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = self._answers

    def on_response_complete(self) -> None:
        """uvicorn's own, but with the lazy keep-alive clock (_check_idle)."""
        self._answers.flush()
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:  # the next pipelined request's turn
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_since = self.loop.time()
        if self._keep_alive_timer is None:
            self._keep_alive_timer = self.loop.call_later(self.timeout_keep_alive, self._check_idle)

    def _check_idle(self) -> None:
        """Close a connection idle for the keep-alive time; otherwise look again when it
        could be. A busy connection's next answer sets the clock going again."""
        self._keep_alive_timer = None
        if self._idle_since is None:
            return
        remaining = self._idle_since + self.timeout_keep_alive - self.loop.time()
        if remaining > 0:
            self._keep_alive_timer = self.loop.call_later(remaining, self._check_idle)
        else:
            self.timeout_keep_alive_handler()

    def on_message_complete(self) -> None:
        self._disarm()
        # Whatever comes next on this connection is the next request's headers.
        self._in_headers, self._header_bytes, self._in_request = True, 0, False
        self._finished += 1
        super().on_message_complete()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.bounds.send_timeout, self._give_up)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._give_up)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _give_up(self) -> None:
        """Too slow: drop the connection (a stalled answer's task sees a disconnect)."""
        self._timer = self._send_timer = None
        if not self.transport.is_closing():
            self.transport.abort()

    def _refuse(self, answer: bytes) -> None:
        self._disarm()
        if not self.transport.is_closing():
            # After what is left of an answer still being written, never in its middle.
            self._answers.write(answer)
            self._answers.close()


class HeadHeldTransport(asyncio.Transport):
    """The connection's transport as each answer writes to it: an answer's status line
    and headers wait for its body, so that a whole answer leaves in one write.

    uvicorn writes the head when the app sends `http.response.start` and the body when
    it sends `http.response.body`: two system calls and two TCP segments for every
    answer, where one will do. A head is held until the next write, the end of its
    answer (a HEAD answer has no body: the protocol flushes it) or a close; an interim
    `100 Continue` is never held, as the client waits for it before sending its body.
    """

    def __init__(self, transport: asyncio.Transport) -> None:
        super().__init__()
        self._transport = transport
        self._held = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held:
            data, self._held = self._held + data, b""
        elif data[:9] == b"HTTP/1.1 " and data[9:10] != b"1":
            self._held = bytes(data)
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held:
            held, self._held = self._held, b""
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = b""
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()


@functools.cache
def _environment_limits() -> ServerLimits:
    return ServerLimits.from_settings(load_settings())


def bounded_protocol(limits: ServerLimits) -> type[BoundedHttpToolsProtocol]:
    """The protocol with these limits (for a server in this process, as in the tests)."""
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), {"limits": limits})


def uvicorn_options(settings: Settings, *, in_process: bool = False) -> dict[str, Any]:
    """The options `serve` and the tests give uvicorn. Worker processes load the
    protocol by name and read their limits from the environment, as they do settings."""
    limits = ServerLimits.from_settings(settings)
    return {
        "http": bounded_protocol(limits) if in_process else BoundedHttpToolsProtocol,
        "timeout_keep_alive": limits.keep_alive_timeout,
        # X-Forwarded-For is believed only from configured proxies, by the app itself.
        "proxy_headers": False,
        "server_header": False,
        "access_log": False,
    }
