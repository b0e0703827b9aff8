"""What the submission server does at each step (§11.1), as aiosmtpd handler hooks.

AUTH PLAIN and LOGIN are coroutines here (aiosmtpd's `authenticator=` callback is
synchronous, and argon2 or a database round trip there would stall every session):
they extract the credentials and ask the access core. MAIL FROM asks it again on
fresh data. RCPT TO goes through the envelope's `Recipients`. DATA relays.
"""

from __future__ import annotations

import binascii
import json
import logging
import secrets
from base64 import b64decode
from collections.abc import Callable
from datetime import datetime

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.audit import printable
from gridreseller.domain.errors import DomainError, Unauthorized
from gridreseller.identity.authenticator import Authenticator
from gridreseller.mail.protocol import SubmissionEnvelope, SubmissionSession
from gridreseller.mail.received import received_header
from gridreseller.mail.replies import (
    AUTHENTICATED,
    BAD_CREDENTIALS,
    CHECK_UNAVAILABLE,
    LOCAL_ERROR,
    SENDER_OK,
    UNAVAILABLE,
    Reply,
    auth_refusal,
    sender_refusal,
)
from gridreseller.services.context import ServiceContext

log = logging.getLogger("gridreseller.mail")
CANNOT_DECODE = "501 5.5.2 Cannot decode the credentials"


class SubmissionHandler:
    def __init__(
        self,
        identity: Authenticator,
        services: ServiceContext,
        hostname: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.identity = identity
        self.services = services
        self.hostname = hostname
        self.clock = clock

    # AUTH (aiosmtpd finds mechanisms by their `auth_` prefix) ---------------------

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        """RFC 4616: [authzid] NUL authcid NUL password."""
        blob = await _response(server, args, "")
        if blob is None:
            return AuthResult(success=False, handled=True)
        parts = blob.split(b"\x00")
        if len(parts) != 3:
            await server.push(CANNOT_DECODE)
            return AuthResult(success=False, handled=True)
        authzid, login, password = parts
        if authzid and authzid != login:  # acting for another login is not offered
            return AuthResult(success=False, handled=False, message=str(BAD_CREDENTIALS))
        return await self._login(server, login, password)

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        login = await _response(server, args, "Username:")
        if login is None:
            return AuthResult(success=False, handled=True)
        password = await server.challenge_auth("Password:")
        if not isinstance(password, bytes):
            return AuthResult(success=False, handled=True)
        return await self._login(server, login, password)

    async def _login(self, server: SMTP, login: bytes, password: bytes) -> AuthResult:
        session = _session(server.session)
        try:
            username, secret = login.decode(), password.decode()
        except UnicodeDecodeError:  # cannot match any stored password
            return AuthResult(success=False, handled=False, message=str(BAD_CREDENTIALS))
        try:
            principal = await self.identity.authenticate(
                username, secret, session.client, Purpose.SEND_MAIL
            )
        except DomainError as refused:
            return AuthResult(success=False, handled=False, message=str(auth_refusal(refused)))
        except Exception as error:  # noqa: BLE001 - any failure is a refusal, never a 235
            log.error("AUTH could not be decided: %s", type(error).__name__)
            return AuthResult(success=False, handled=False, message=str(UNAVAILABLE))
        session.admit(principal)
        return AuthResult(success=True, message=str(AUTHENTICATED))

    # The transaction ----------------------------------------------------------------

    async def handle_EHLO(  # noqa: N802
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-ENHANCEDSTATUSCODES", responses[-1]]

    async def handle_MAIL(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """The right to send, judged again on what the database says now."""
        submission = _session(session)
        principal = _principal(submission)
        try:
            admitted = await self.identity.recheck(
                principal.login_id, principal.fingerprint, principal.client, Purpose.SEND_MAIL
            )
        except Exception as error:  # noqa: BLE001 - whatever it was, nothing is sent
            reply = sender_refusal(error) if isinstance(error, DomainError) else CHECK_UNAVAILABLE
            if isinstance(error, Unauthorized):
                submission.sign_out()
            _log_message("refused at MAIL FROM", principal, address, 0, 0, None, reply)
            return str(reply)
        submission.admit(admitted)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return str(SENDER_OK)

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        principal = _principal(_session(session))
        reply = await _envelope(envelope).recipients.accept(principal, address, self.services)
        if reply.code == 250:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
        return str(reply)

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        """Relay, then answer what the upstream answered (§11.1)."""
        submission, submitted = _session(session), _envelope(envelope)
        principal = _principal(submission)
        message_id = secrets.token_hex(6).upper()
        trace = received_header(
            helo=submission.host_name,
            client=submission.client,
            hostname=self.hostname,
            message_id=message_id,
            login=principal.username,
            when=self.clock(),
        )
        content = envelope.original_content or b""
        sender = envelope.mail_from or ""
        body = [option for option in envelope.mail_options if option.startswith("BODY=")]
        relayed = await submission.relay.send(
            sender, list(envelope.rcpt_tos), trace + content, body
        )
        if relayed.accepted:
            submitted.recipients.keep()
        else:
            await submitted.recipients.give_back_now()
        verdict = f"{message_id} relayed" if relayed.accepted else f"{message_id} refused"
        recipients = len(envelope.rcpt_tos)
        upstream = relayed.upstream_code
        _log_message(verdict, principal, sender, recipients, len(content), upstream, relayed.reply)
        return str(relayed.reply)

    async def handle_exception(self, error: Exception) -> str:
        log.error("SMTP command failed: %s", type(error).__name__)
        return str(LOCAL_ERROR)


async def _response(server: SMTP, args: list[str], prompt: str) -> bytes | None:
    """An AUTH initial response (RFC 4954: `=` is an empty one), else the answer to a
    334 challenge; None when it was refused (the reply has been sent)."""
    if len(args) == 1:
        answer = await server.challenge_auth(prompt)
        return answer if isinstance(answer, bytes) else None
    if args[1] == "=":
        return b""
    try:
        return b64decode(args[1], validate=True)
    except binascii.Error:
        await server.push(CANNOT_DECODE)
        return None


def _session(session: Session | None) -> SubmissionSession:
    assert isinstance(session, SubmissionSession)
    return session


def _envelope(envelope: Envelope | None) -> SubmissionEnvelope:
    assert isinstance(envelope, SubmissionEnvelope)
    return envelope


def _principal(session: SubmissionSession) -> Principal:
    """aiosmtpd lets no transaction command through before a successful AUTH."""
    principal = session.principal
    assert principal is not None
    return principal


def _log_message(
    verdict: str,
    principal: Principal,
    sender: str,
    recipients: int,
    size: int,
    upstream: int | None,
    reply: Reply,
) -> None:
    """Who sent what: one line per message (never its content, never a password)."""
    log.info(
        "message %s login=%s client=%s from=%s recipients=%d size=%d upstream=%s reply=%s",
        verdict,
        _quoted(principal.username),
        _quoted(principal.client),
        _quoted(sender),
        recipients,
        size,
        upstream or "-",
        _quoted(str(reply)),
    )


def _quoted(text: str) -> str:
    return json.dumps(printable(text), ensure_ascii=False)
