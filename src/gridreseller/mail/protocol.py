"""aiosmtpd's SMTP protocol, adapted to docs/smtp.md: its reply codes where aiosmtpd
words its own, recipients given back whenever a transaction ends without a relayed
message (at once when the session ends, however it ends), and a graceful shutdown
(idle sessions get 421 at once, busy ones after their command, late ones when the
grace period ends). Sessions hold no upstream connection: the outbound path's pool
lends one per message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, AnyStr, cast

from aiosmtpd.smtp import Envelope, Session, syntax

from gridreseller.domain.access import Principal
from gridreseller.domain.senders import AllowedSenders
from gridreseller.mail.addresses import command_address
from gridreseller.mail.front_door import FrontDoorSMTP
from gridreseller.mail.recipients import Recipients
from gridreseller.mail.replies import LIBRARY_REPLIES, SHUTTING_DOWN
from gridreseller.sending.submission import Submission

Command = Callable[[str | None], Awaitable[None]]
GOODBYE_SECONDS = 1.0


class SubmissionSession(Session):
    """One connection's state (a new one after STARTTLS, as RFC 3207 asks)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
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
    def __init__(self, submission: Submission) -> None:
        super().__init__()
        self.recipients = Recipients(submission)
        # The customer's allowed sender domains as read at MAIL FROM, for the From:
        # check at DATA of the same transaction.
        self.allowed_senders: AllowedSenders | None = None


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
        self, handler: Any, *, sessions: Sessions, submission: Submission, **kw: Any
    ) -> None:
        self._sessions = sessions
        self._submission = submission
        super().__init__(handler, **kw)
        self.busy = False
        self._smtp_methods = {name: self._tracked(m) for name, m in self._smtp_methods.items()}

    def _create_session(self) -> Session:
        return SubmissionSession(self.loop)

    def _create_envelope(self) -> Envelope:
        return SubmissionEnvelope(self._submission)

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's own parse, without its cost per call (mail/addresses.py)."""
        return command_address(arg, self.local_part_limit)

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
        super().connection_made(transport)
        self._sessions.live.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._sessions.live.discard(self)
        self._give_back()
        super().connection_lost(error)

    # The session is over, though the connection may linger: a TLS close waits for
    # the client's close_notify (up to 30 s), which a client that read 221 and keeps
    # its socket open never sends. What it held comes back now, not then.

    @syntax("QUIT")
    async def smtp_QUIT(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's name
        if not arg:
            self._give_back()
        await super().smtp_QUIT(arg)

    def eof_received(self) -> bool | None:
        self._give_back()
        return super().eof_received()

    def _timeout_cb(self) -> None:
        self._give_back()
        super()._timeout_cb()  # type: ignore[no-untyped-call]

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
