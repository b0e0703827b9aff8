"""Relaying to an upstream MTA (`HOST:PORT`) over a bounded pool of kept connections.

One pool per process (per event loop), shared by every SMTP session and HTTP
request: a connection is taken for one message and put back right after it, so no
client holds one while it is idle, and one customer's many sessions cannot use up
what the upstream allows (it may serve only so many connections at once). At most
`size` connections are open; a message that finds none free within `wait_seconds`
is "retry later", as an unreachable upstream is. Connections idle for
`idle_seconds` are closed (QUIT).

All or nothing: if the upstream refuses any part of the envelope, its transaction
is reset and the message is refused as a whole, with the upstream's reply. A kept
connection the upstream closed meanwhile is noticed at MAIL FROM, before the
upstream has anything, and replaced once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import aiosmtplib

from gridreseller.sending.targets import UpstreamTarget
from gridreseller.sending.transports import UNREACHABLE, UNRELAYABLE, Outcome, Relayed

log = logging.getLogger("gridreseller.sending")
# aiosmtplib's one timeout covers connecting and every reply, the final one included.
RELAY_TIMEOUT_SECONDS = 60.0
DEFAULT_POOL_SIZE = 10
IDLE_SECONDS = 5.0
WAIT_SECONDS = 30.0
QUIT_SECONDS = 5.0


class _Unsent(Exception):
    """The kept connection was gone before the upstream received anything."""


@dataclass
class _Lease:
    """One connection taken for one message (None until it is opened)."""

    client: aiosmtplib.SMTP | None
    reused: bool

    def drop(self) -> None:
        """The connection cannot carry another message: closed, not put back."""
        client, self.client = self.client, None
        if client is not None:
            client.close()


class _Connections:
    """The connections of one event loop: at most `size` taken or kept."""

    def __init__(self, size: int, idle_seconds: float) -> None:
        self._free = asyncio.Semaphore(size)
        self._idle_seconds = idle_seconds
        self._idle: list[tuple[float, aiosmtplib.SMTP]] = []  # most recently used last
        self._reaper: asyncio.TimerHandle | None = None
        self._quitting: set[asyncio.Task[None]] = set()

    async def take(self, wait_seconds: float) -> _Lease:
        """A connection for one message; TimeoutError when none is free in time."""
        async with asyncio.timeout(wait_seconds):
            await self._free.acquire()
        while self._idle:
            _, client = self._idle.pop()
            if client.is_connected:
                return _Lease(client, reused=True)
            client.close()
        return _Lease(None, reused=False)

    def put_back(self, lease: _Lease) -> None:
        client = lease.client
        if client is not None and client.is_connected:
            self._idle.append((time.monotonic(), client))
            self._arm()
        self._free.release()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _, client in idle:
            self._quit(client)
        if self._quitting:
            await asyncio.gather(*self._quitting, return_exceptions=True)

    def _arm(self) -> None:
        """Look again when the longest idle connection is due (the list is in order)."""
        if self._reaper is None and self._idle:
            due = self._idle[0][0] + self._idle_seconds - time.monotonic()
            loop = asyncio.get_running_loop()
            self._reaper = loop.call_later(max(due, 0.01), self._reap)

    def _reap(self) -> None:
        """Close what has been idle long enough; look again when the next one is due."""
        self._reaper = None
        due = time.monotonic() - self._idle_seconds
        stale = [client for since, client in self._idle if since <= due]
        self._idle = [(since, client) for since, client in self._idle if since > due]
        for client in stale:
            self._quit(client)
        self._arm()

    def _quit(self, client: aiosmtplib.SMTP) -> None:
        task = asyncio.get_running_loop().create_task(_quit(client))
        self._quitting.add(task)
        task.add_done_callback(self._quitting.discard)


async def _quit(client: aiosmtplib.SMTP) -> None:
    """QUIT, so that the upstream logs a clean end; cut if it does not answer soon."""
    try:
        async with asyncio.timeout(QUIT_SECONDS):
            await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


class UpstreamPool:
    def __init__(
        self,
        target: UpstreamTarget,
        local_hostname: str,
        *,
        size: int = DEFAULT_POOL_SIZE,
        idle_seconds: float = IDLE_SECONDS,
        wait_seconds: float = WAIT_SECONDS,
        timeout_seconds: float = RELAY_TIMEOUT_SECONDS,
    ) -> None:
        self.target = target
        self.local_hostname = local_hostname
        self.size = size
        self.idle_seconds = idle_seconds
        self.wait_seconds = wait_seconds
        self.timeout_seconds = timeout_seconds
        # Connections belong to the event loop that opened them: one set per loop
        # (a process serves on one; tests run several servers one after another).
        self._loops: dict[asyncio.AbstractEventLoop, _Connections] = {}

    async def send(
        self, sender: str, recipients: list[str], message: bytes, options: list[str]
    ) -> Relayed:
        """Relay one message with its envelope; never raises for the upstream's sake."""
        connections = self._connections()
        try:
            lease = await connections.take(self.wait_seconds)
        except TimeoutError:
            log.warning("no upstream connection free within %.0f s", self.wait_seconds)
            return UNREACHABLE
        try:
            return await self._send_on(lease, sender, recipients, message, options)
        except BaseException:  # cancelled mid-transaction: the connection's state is unknown
            lease.drop()
            raise
        finally:
            connections.put_back(lease)

    async def close(self) -> None:
        """QUIT the kept connections of this event loop."""
        connections = self._loops.pop(asyncio.get_running_loop(), None)
        if connections is not None:
            await connections.close()

    def _connections(self) -> _Connections:
        loop = asyncio.get_running_loop()
        connections = self._loops.get(loop)
        if connections is None:
            for stopped in [other for other in self._loops if other.is_closed()]:
                del self._loops[stopped]
            connections = self._loops[loop] = _Connections(self.size, self.idle_seconds)
        return connections

    async def _send_on(
        self, lease: _Lease, sender: str, recipients: list[str], message: bytes, options: list[str]
    ) -> Relayed:
        try:
            try:
                return await self._transaction(lease, sender, recipients, message, options)
            except _Unsent:
                lease.drop()
                lease.reused = False
                return await self._transaction(lease, sender, recipients, message, options)
        except aiosmtplib.SMTPRecipientRefused as refused:
            await _reset(lease)
            recipient = refused.recipient if refused.code // 100 == 5 else None
            return _answer(refused.code, refused.message, recipient)
        except aiosmtplib.SMTPResponseException as refused:
            await _reset(lease)
            return _answer(refused.code, refused.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            lease.drop()
            return UNREACHABLE
        except ValueError:  # aiosmtplib refuses control characters in a command
            await _reset(lease)
            return UNRELAYABLE

    async def _transaction(
        self, lease: _Lease, sender: str, recipients: list[str], message: bytes, options: list[str]
    ) -> Relayed:
        client = lease.client or await self._open(lease)
        try:
            await client.mail(sender, options=options)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPSenderRefused) as error:
            # An idle connection the upstream dropped, or answers 421 for (closing).
            closing = getattr(error, "code", 421) == 421
            if lease.reused and closing:
                raise _Unsent() from None
            raise
        for recipient in recipients:
            await client.rcpt(recipient)
        response = await client.data(message)
        return _answer(response.code, response.message)

    async def _open(self, lease: _Lease) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.target.host,
            port=self.target.port,
            local_hostname=self.local_hostname,
            timeout=self.timeout_seconds,
            start_tls=False,
        )
        lease.client = client  # dropped by the caller if connecting fails
        try:
            await client.connect()
        except aiosmtplib.SMTPResponseException as greeting:  # 421, 554: not now
            raise aiosmtplib.SMTPConnectError(greeting.message) from None
        return client


def _answer(code: int, text: str, refused_recipient: str | None = None) -> Relayed:
    if code == 250:
        return Relayed(Outcome.SENT, code, text)
    outcome = Outcome.REFUSED if code // 100 == 5 else Outcome.RETRY_LATER
    return Relayed(outcome, code, text, refused_recipient)


async def _reset(lease: _Lease) -> None:
    """End a refused transaction so that the connection can carry the next one."""
    if lease.client is None:
        return
    try:
        await lease.client.rset()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        lease.drop()
