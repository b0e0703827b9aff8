"""aiosmtpd's SMTP protocol with the submission server's limits (docs/smtp.md, "Limits").

- A connection over its client address's share, or over the total, hears `421` and
  is closed before anything it sends is read.
- A client that has not authenticated within `auth_seconds` hears `421` and is closed.
- A STARTTLS handshake must finish within `handshake_seconds`.
- DATA holds the whole message in memory until it is relayed, so only so many
  transfers run at once, per client address and in all; over that, `451 4.3.2`.
- An over-long line answering an AUTH challenge is refused with `500 5.5.2` and read
  to its end (aiosmtpd's `readline` would take the rest as the next command).
"""

from __future__ import annotations

import asyncio
import binascii
import logging
from base64 import b64decode, b64encode
from typing import Any, cast

from aiosmtpd.smtp import MISSING, SMTP, TLSSetupException, _Missing, syntax

from gridreseller.mail.connection_gate import FrontDoor, Full, client_key
from gridreseller.mail.replies import Reply

log = logging.getLogger("gridreseller.mail")
TOO_MANY_FROM_ADDRESS = Reply(421, "4.7.0", "Too many connections from your address")
TOO_MANY_CONNECTIONS = Reply(421, "4.7.0", "Too many connections; try again later")
AUTH_TOO_SLOW = Reply(421, "4.7.0", "No authentication in time; closing")
TRANSFERS_FROM_ADDRESS = Reply(451, "4.3.2", "Too many messages in transfer from your address")
TOO_MANY_TRANSFERS = Reply(451, "4.3.2", "Too many messages in transfer; try again later")
LINE_TOO_LONG = Reply(500, "5.5.2", "Line too long")
AUTH_ABORTED = "501 5.7.0 Auth aborted"
CANNOT_DECODE = "501 5.5.2 Cannot decode the credentials"
# Time for a farewell to leave before a TLS connection that never closes is cut.
HANG_UP_SECONDS = 1.0
CONNECTION_REFUSALS = {Full.CLIENT: TOO_MANY_FROM_ADDRESS, Full.TOTAL: TOO_MANY_CONNECTIONS}
TRANSFER_REFUSALS = {Full.CLIENT: TRANSFERS_FROM_ADDRESS, Full.TOTAL: TOO_MANY_TRANSFERS}


class FrontDoorSMTP(SMTP):
    def __init__(self, handler: Any, *, front_door: FrontDoor, **kw: Any) -> None:
        self._front_door = front_door
        self._client: str | None = None  # the address it counts under, once admitted
        self._refused = False
        self._handshaking = False
        self._auth_timer: asyncio.TimerHandle | None = None
        super().__init__(handler, **kw)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is None:  # a new connection, not the TLS layer after STARTTLS
            client = client_key(transport.get_extra_info("peername"))
            full = self._front_door.connections.take(client)
            if full is not None:
                self._refuse(cast(asyncio.Transport, transport), CONNECTION_REFUSALS[full])
                return
            self._client = client
            self._auth_timer = self.loop.call_later(
                self._front_door.auth_seconds, self._auth_timed_out
            )
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            return  # aiosmtpd never saw this connection
        if self._auth_timer is not None:
            self._auth_timer.cancel()
        if self._client is not None:
            self._front_door.connections.give_back(self._client)
            self._client = None
        super().connection_lost(error)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def eof_received(self) -> bool | None:
        return False if self._refused else super().eof_received()

    def _refuse(self, transport: asyncio.Transport, reply: Reply) -> None:
        self._refused = True
        transport.write(f"{reply}\r\n".encode())
        transport.close()

    def _auth_timed_out(self) -> None:
        if self.session is None or self.session.authenticated:
            return
        if self._handshaking:  # the handshake's own deadline comes first; look again then
            self._auth_timer = self.loop.call_later(HANG_UP_SECONDS, self._auth_timed_out)
            return
        log.info("%s did not authenticate within %ss", self._client, self._front_door.auth_seconds)
        self._hang_up(AUTH_TOO_SLOW)

    def _hang_up(self, reply: Reply) -> None:
        transport = cast(asyncio.Transport | None, self.transport)
        if transport is None or transport.is_closing():
            return
        transport.write(f"{reply}\r\n".encode())
        transport.close()
        # A TLS close waits for the client's close_notify, which it may never send.
        self.loop.call_later(HANG_UP_SECONDS, transport.abort)

    @syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg: str) -> None:  # noqa: N802
        """aiosmtpd's, within `handshake_seconds` (asyncio's own default is 60 s)."""
        self._handshaking = True
        try:
            async with asyncio.timeout(self._front_door.handshake_seconds):
                await super().smtp_STARTTLS(arg)
        except TimeoutError as error:
            # aiosmtpd closes the connection on this exception, as on a failed handshake.
            raise TLSSetupException() from error
        finally:
            self._handshaking = False

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802
        """aiosmtpd's, counted: the message is held in memory until it is relayed."""
        ready = self.session is not None and self.session.authenticated
        if not (ready and self.envelope is not None and self.envelope.rcpt_tos and not arg):
            await super().smtp_DATA(arg)  # its own refusal, before any data is read
            return
        client = self._client or "-"
        full = self._front_door.transfers.take(client)
        if full is not None:
            await self.push(str(TRANSFER_REFUSALS[full]))
            return
        try:
            await super().smtp_DATA(arg)
        finally:
            self._front_door.transfers.give_back(client)

    async def handle_exception(self, error: Exception) -> str:
        """A handshake that failed or timed out is the client's doing: one line, no
        ERROR (aiosmtpd closes the connection and sends nothing)."""
        if isinstance(error, TLSSetupException):
            log.info("%s: TLS handshake failed or timed out", self._client)
            return ""
        return await super().handle_exception(error)

    async def challenge_auth(
        self,
        challenge: str | bytes,
        encode_to_b64: bool = True,
        log_client_response: bool = False,
    ) -> _Missing | bytes:
        """aiosmtpd's, but the answer is read as one bounded line."""
        if isinstance(challenge, str):
            challenge = challenge.encode()
        await self.push(b"334 " + (b64encode(challenge) if encode_to_b64 else challenge))
        line = await self._answer_line()
        if line is None:
            await self.push(str(LINE_TOO_LONG))
            return MISSING
        blob = line.strip()
        if blob == b"*":  # RFC 4954: the client cancels
            await self.push(AUTH_ABORTED)
            return MISSING
        try:
            return b64decode(blob, validate=True)
        except binascii.Error:
            await self.push(CANNOT_DECODE)
            return MISSING

    async def _answer_line(self) -> bytes | None:
        """One line up to aiosmtpd's line length limit; None for a longer one, which
        is read to its end and dropped (never more than the limit in memory)."""
        try:
            return await self._reader.readuntil()
        except asyncio.IncompleteReadError as eof:
            return eof.partial
        except asyncio.LimitOverrunError as error:
            await self._discard_line(error.consumed)
            return None

    async def _discard_line(self, consumed: int) -> None:
        while True:
            await self._reader.read(consumed)
            try:
                await self._reader.readuntil()
                return
            except asyncio.IncompleteReadError:
                return
            except asyncio.LimitOverrunError as error:
                consumed = error.consumed
