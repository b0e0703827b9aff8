"""`gridreseller smtp` (docs/smtp.md): the embedded submission server, started and
stopped.

It listens on one address, offers STARTTLS, and AUTH PLAIN / LOGIN only after it;
every message goes to the relay (through the outbound path, sending/) before it is
acknowledged. SIGTERM (or SIGINT) stops it gracefully: no new connections, 421 to
idle sessions, messages in flight finish within `smtp_shutdown_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridreseller.bootstrap import smtp_wiring
from gridreseller.config import Settings
from gridreseller.mail.connection_gate import front_door
from gridreseller.mail.handler import SubmissionHandler
from gridreseller.mail.parts import SmtpParts
from gridreseller.mail.protocol import Sessions, SubmissionSMTP
from gridreseller.mail.tls import Tls, server_tls
from gridreseller.sending.received import local_hostname
from gridreseller.sending.targets import MaildirTarget, RelayTarget, UpstreamTarget, maildir_warning
from gridreseller.serving import cannot_listen

log = logging.getLogger("gridreseller.mail")
DEFAULT_MAX_MESSAGE_BYTES = Settings.max_message_bytes  # GRIDRESELLER_MAX_MESSAGE_BYTES's
IDLE_TIMEOUT_SECONDS = 300  # RFC 5321 §4.5.3.2.7: the server's timeout is 5 minutes


@dataclass(frozen=True)
class SmtpOptions:
    relay_host: str
    relay_port: int
    host: str = "127.0.0.1"
    port: int = 2525
    tls_cert: Path | None = None
    tls_key: Path | None = None
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    # maildir:PATH given as --relay: messages are stored there instead (relay_host
    # and relay_port are then unused).
    relay_maildir: Path | None = None

    @property
    def relay(self) -> RelayTarget:
        if self.relay_maildir is not None:
            return MaildirTarget(self.relay_maildir)
        return UpstreamTarget(self.relay_host, self.relay_port)

    @classmethod
    def relaying_to(cls, target: RelayTarget, **options: Any) -> SmtpOptions:
        if isinstance(target, MaildirTarget):
            return cls("", 0, relay_maildir=target.path, **options)
        return cls(target.host, target.port, **options)


class SubmissionServer:
    def __init__(
        self, parts: SmtpParts, options: SmtpOptions, tls: ssl.SSLContext, hostname: str
    ) -> None:
        """`parts` relay to `options.relay` and name this host `hostname`
        (bootstrap.smtp_parts)."""
        self.options = options
        self.tls = tls
        self.hostname = hostname
        self.submission = parts.submission
        self.handler = SubmissionHandler(parts.identity, self.submission)
        self.sessions = Sessions()
        self.front_door = front_door(parts.settings)
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        """Listen; the port actually bound (for `--port 0`)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol, self.options.host, self.options.port
        )
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self, grace_seconds: float) -> None:
        """Stop accepting, then let the open sessions go (see Sessions.close)."""
        assert self._server is not None
        self._server.close()
        await self.sessions.close(grace_seconds)
        await self.submission.close()
        await self._server.wait_closed()

    def _protocol(self) -> SubmissionSMTP:
        return SubmissionSMTP(
            self.handler,
            sessions=self.sessions,
            submission=self.submission,
            data_size_limit=self.options.max_message_bytes,
            hostname=self.hostname,
            ident="gridreseller ESMTP",
            tls_context=self.tls,
            auth_required=True,
            auth_require_tls=True,
            timeout=IDLE_TIMEOUT_SECONDS,
            loop=asyncio.get_running_loop(),
            front_door=self.front_door,
        )


def server_hostname(settings: Settings) -> str:
    return local_hostname(settings)


def run_smtp(settings: Settings, options: SmtpOptions, announce: Callable[[str], None]) -> None:
    """The `smtp` command: serve until SIGTERM or SIGINT, then shut down gracefully.

    Raises TlsError (unusable certificate) or ConfigurationError (the database, or
    cannot listen) before it announces anything: nothing says it started unless it did.
    """
    hostname = server_hostname(settings)
    tls = server_tls(options.tls_cert, options.tls_key, hostname)
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(settings, options, tls, hostname, announce))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when it is installed (uvicorn[standard] brings it), as `serve` does."""
    try:
        import uvloop  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _serve(
    settings: Settings,
    options: SmtpOptions,
    tls: Tls,
    hostname: str,
    announce: Callable[[str], None],
) -> None:
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_log_loop_error)
    wiring = smtp_wiring(settings, options.relay, hostname)
    try:
        server = SubmissionServer(wiring.parts, options, tls.context, hostname)
        try:
            port = await server.start()
        except OSError as error:
            raise cannot_listen(options.host, options.port, error) from None
        kind = "self-signed certificate" if tls.self_signed else "certificate"
        announce(f"TLS {kind} for {hostname}, SHA-256 fingerprint {tls.fingerprint}")
        relay = options.relay
        if isinstance(relay, MaildirTarget):
            announce(maildir_warning(relay))
        announce(f"gridreseller smtp listening on {options.host}:{port}, relaying to {relay}")
        stopping = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        await stopping.wait()
        announce("shutting down: finishing messages in flight")
        await server.stop(settings.smtp_shutdown_seconds)
        await wiring.flush()
    finally:
        wiring.close()


def _log_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """One line, no traceback: a client that drops its TLS handshake is no crash."""
    error = context.get("exception")
    detail = f" ({type(error).__name__})" if error else ""
    log.warning("%s%s", context.get("message", "event loop error"), detail)
