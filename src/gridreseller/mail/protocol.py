"""aiosmtpd's SMTP protocol, adapted to §11.1: the contract's reply codes where
aiosmtpd words its own, recipients given back whenever a transaction ends without
a relayed message, one upstream connection per session, and a graceful shutdown
(idle sessions get 421 at once, busy ones after their command, late ones when the
grace period ends)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, AnyStr, cast

from aiosmtpd.smtp import Envelope, Session

from gridreseller.domain.access import Principal
from gridreseller.mail.front_door import FrontDoorSMTP
from gridreseller.mail.recipients import Recipients
from gridreseller.mail.relay import Relay
from gridreseller.mail.replies import LIBRARY_REPLIES, SHUTTING_DOWN

Command = Callable[[str | None], Awaitable[None]]
GOODBYE_SECONDS = 1.0


class SubmissionSession(Session):
    """One connection's state (a new one after STARTTLS, as RFC 3207 asks)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, relay: Relay) -> None:
        super().__init__(loop)
        self.relay = relay
        self.principal: Principal | None = None

    @property
    def login_data(self) -> None:
        """aiosmtpd's deprecated mirror of the AUTH data (it warns on every use):
        unused here, `principal` is the session's login."""
        return None

    @login_data.setter
    def login_data(self, value: object) -> None:
        pass

    @property
    def client(self) -> str:
        return str(self.peer[0]) if self.peer else "-"

    def admit(self, principal: Principal) -> None:
        """The login as AUTH admitted it, then as judged at the last MAIL FROM."""
        self.principal = principal

    def sign_out(self) -> None:
        """The login has changed since AUTH: the client must authenticate again."""
        self.authenticated = False
        self.principal = None


class SubmissionEnvelope(Envelope):
    def __init__(self) -> None:
        super().__init__()
        self.recipients = Recipients()


class Sessions:
    """The open connections of one server, for shutting down."""

    def __init__(self) -> None:
        self.live: set[SubmissionSMTP] = set()
        self.closing = False

    async def close(self, grace_seconds: float) -> None:
        """421 to the idle sessions now, to the busy ones once their command is done,
        and to whatever is left when the grace period is over."""
        self.closing = True
        for session in list(self.live):
            if not session.busy:
                session.goodbye()
        await self._wait_empty(grace_seconds)
        for session in list(self.live):
            session.goodbye()
        await self._wait_empty(2.0)

    async def _wait_empty(self, seconds: float) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while self.live and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)


class SubmissionSMTP(FrontDoorSMTP):
    def __init__(
        self, handler: Any, *, sessions: Sessions, new_relay: Callable[[], Relay], **kw: Any
    ) -> None:
        self._sessions = sessions
        self._new_relay = new_relay
        super().__init__(handler, **kw)
        self.busy = False
        self._smtp_methods = {name: self._tracked(m) for name, m in self._smtp_methods.items()}

    def _create_session(self) -> Session:
        return SubmissionSession(self.loop, self._new_relay())

    def _create_envelope(self) -> Envelope:
        return SubmissionEnvelope()

    def _set_post_data_state(self) -> None:
        """Every end of a transaction (after DATA, RSET, EHLO, HELO, STARTTLS) passes
        here: what was not relayed is given back."""
        self._give_back()
        super()._set_post_data_state()  # type: ignore[no-untyped-call]

    async def push(self, status: AnyStr) -> None:
        if isinstance(status, str):
            status = LIBRARY_REPLIES.get(status, status)
        await super().push(status)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._close_relay()  # after STARTTLS: the plain-text session's (never used)
        super().connection_made(transport)
        self._sessions.live.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._sessions.live.discard(self)
        self._give_back()
        self._close_relay()
        super().connection_lost(error)

    def goodbye(self) -> None:
        """421 and close: the server is shutting down (RFC 5321 §3.8)."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self._writer.write(f"{SHUTTING_DOWN}\r\n".encode())
        transport.close()
        # A TLS close waits for the client's close_notify, which an idle client may
        # never send: past a moment for the 421 to leave, the connection is cut.
        self.loop.call_later(GOODBYE_SECONDS, cast(asyncio.Transport, transport).abort)

    def _tracked(self, command: Command) -> Command:
        async def tracked(arg: str | None) -> None:
            self.busy = True
            try:
                await command(arg)
            finally:
                self.busy = False
            if self._sessions.closing:
                self.goodbye()

        return tracked

    def _give_back(self) -> None:
        if isinstance(self.envelope, SubmissionEnvelope):
            self.envelope.recipients.give_back()

    def _close_relay(self) -> None:
        if isinstance(self.session, SubmissionSession):
            self.session.relay.close()
