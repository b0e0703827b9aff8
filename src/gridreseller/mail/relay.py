"""Relaying an accepted message to `--relay HOST:PORT` (§11.1), all or nothing.

The client hears `250` only once the upstream accepted the whole message. If the
upstream refuses any part of the envelope, its transaction is reset and the
message is refused as a whole with the upstream's reply (5xx passed through, 4xx
as `451 4.4.1`), so the client never has to guess which recipients got a copy.
An unreachable upstream is `451 4.4.1`: the client keeps the message and retries.

Each client session keeps one upstream connection for its messages. A kept
connection the upstream closed meanwhile is noticed at MAIL FROM, before the
upstream has anything, and replaced once.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosmtplib

from gridreseller.mail.replies import (
    RELAY_UNAVAILABLE,
    UNRELAYABLE_ADDRESS,
    Reply,
    upstream_reply,
)

# aiosmtplib's one timeout covers connecting and every reply, the final one included.
RELAY_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Relayed:
    """What came of one relay attempt: our reply, and the upstream's code (None when
    it could not be reached)."""

    reply: Reply
    upstream_code: int | None

    @property
    def accepted(self) -> bool:
        return self.reply.code == 250


class _Unsent(Exception):
    """The kept connection was gone before the upstream received anything."""


class Relay:
    def __init__(self, host: str, port: int, local_hostname: str) -> None:
        self.host = host
        self.port = port
        self.local_hostname = local_hostname
        self._client: aiosmtplib.SMTP | None = None

    async def send(
        self, sender: str, recipients: list[str], message: bytes, options: list[str]
    ) -> Relayed:
        """Relay one message with its envelope; never raises for the upstream's sake."""
        try:
            try:
                return await self._transaction(sender, recipients, message, options)
            except _Unsent:
                self.close()
                return await self._transaction(sender, recipients, message, options)
        except aiosmtplib.SMTPResponseException as refused:
            await self._reset()
            return Relayed(upstream_reply(refused.code, refused.message), refused.code)
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            self.close()
            return Relayed(RELAY_UNAVAILABLE, None)
        except ValueError:  # aiosmtplib refuses control characters in a command
            await self._reset()
            return Relayed(UNRELAYABLE_ADDRESS, None)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def _transaction(
        self, sender: str, recipients: list[str], message: bytes, options: list[str]
    ) -> Relayed:
        reused = self._client is not None and self._client.is_connected
        client = await self._connected()
        try:
            await client.mail(sender, options=options)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPSenderRefused) as error:
            # An idle connection the upstream dropped, or answers 421 for (closing).
            closing = getattr(error, "code", 421) == 421
            if reused and closing:
                raise _Unsent() from None
            raise
        for recipient in recipients:
            await client.rcpt(recipient)
        response = await client.data(message)
        return Relayed(upstream_reply(response.code, response.message), response.code)

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        self.close()
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            local_hostname=self.local_hostname,
            timeout=RELAY_TIMEOUT_SECONDS,
            start_tls=False,
        )
        await client.connect()
        self._client = client
        return client

    async def _reset(self) -> None:
        """End a refused transaction so that the connection can carry the next one."""
        if self._client is None:
            return
        try:
            await self._client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            self.close()
