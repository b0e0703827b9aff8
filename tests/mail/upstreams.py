"""Upstream MTAs for the outbound path's tests: real aiosmtpd servers that count
their connections, refuse those past a cap (421, as an MTA out of processes does),
and may answer the final dot late (as an MTA with a content filter does)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.mail.support import Delivered, SinkHandler
from tests.support import free_port


@dataclass
class Connections:
    """What the upstream saw: open now, the most at once, opened in all, refused."""

    cap: int
    open: int = 0
    most: int = 0
    made: int = 0
    refused: int = 0


@dataclass
class DelayingHandler(SinkHandler):
    """Stores the message at the dot, then waits `delay` seconds before its 250."""

    delay: float = 0.0

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return reply


class CappedSMTP(SMTP):
    def __init__(self, handler: Any, connections: Connections, **kwargs: Any) -> None:
        self.connections = connections
        self.admitted = False
        super().__init__(handler, **kwargs)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        counts = self.connections
        if counts.open >= counts.cap:
            counts.refused += 1
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(b"421 4.7.0 Too many connections, try again later\r\n")
            transport.close()
            return
        self.admitted = True
        counts.open += 1
        counts.made += 1
        counts.most = max(counts.most, counts.open)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self.admitted:
            self.connections.open -= 1
            super().connection_lost(error)

    def eof_received(self) -> bool | None:
        return super().eof_received() if self.admitted else False


class CappedController(Controller):
    def __init__(self, handler: Any, connections: Connections, **kwargs: Any) -> None:
        self.connections = connections
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        return CappedSMTP(self.handler, self.connections, **self.SMTP_kwargs)


class Upstream:
    """An MTA on 127.0.0.1 serving at most `cap` connections at once."""

    def __init__(self, *, cap: int = 1000, delay: float = 0.0, port: int | None = None) -> None:
        self.handler = DelayingHandler(delay=delay)
        self.connections = Connections(cap)
        self.port = port or free_port()
        self.controller = CappedController(
            self.handler, self.connections, hostname="127.0.0.1", port=self.port
        )

    @property
    def messages(self) -> list[Delivered]:
        return self.handler.messages

    def start(self) -> Upstream:
        self.controller.start()
        # The controller's own readiness probe is a connection: not one of ours.
        deadline = time.monotonic() + 5
        while self.connections.open and time.monotonic() < deadline:
            time.sleep(0.01)
        self.connections.made = self.connections.most = 0
        return self

    def stop(self) -> None:
        self.controller.stop()
