"""What the submission server does at each step (docs/smtp.md), as aiosmtpd handler
hooks.

AUTH PLAIN and LOGIN are coroutines here (aiosmtpd's `authenticator=` callback is
synchronous, and argon2 or a database round trip there would stall every session):
they extract the credentials and ask the access core. MAIL FROM asks it again on
fresh data. RCPT TO goes through the envelope's `Recipients`. DATA hands the message
to the outbound path (sending/submission.py) and answers what came of it.
"""

from __future__ import annotations

import binascii
import logging
from base64 import b64decode

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.errors import DomainError, Unauthorized
from gridreseller.domain.models import Surface
from gridreseller.identity.authenticator import Authenticator
from gridreseller.mail.protocol import SubmissionEnvelope, SubmissionSession
from gridreseller.mail.replies import (
    AUTHENTICATED,
    BAD_CREDENTIALS,
    CHECK_UNAVAILABLE,
    LOCAL_ERROR,
    SENDER_OK,
    UNAVAILABLE,
    auth_refusal,
    relay_reply,
    sender_refusal,
)
from gridreseller.sending.message_log import log_message
from gridreseller.sending.submission import Submission

log = logging.getLogger("gridreseller.mail")
CANNOT_DECODE = "501 5.5.2 Cannot decode the credentials"


class SubmissionHandler:
    def __init__(self, identity: Authenticator, submission: Submission) -> None:
        self.identity = identity
        self.submission = submission

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
        """The right to send, judged again on what the database says now; then the
        sender, by the customer's allowed sender domains."""
        submission = _session(session)
        principal = _principal(submission)
        try:
            admitted = await self.identity.recheck(
                principal.login_id, principal.fingerprint, principal.client, Purpose.SEND_MAIL
            )
            allowed = await self.submission.check_sender(admitted, address)
        except Exception as error:  # noqa: BLE001 - whatever it was, nothing is sent
            reply = sender_refusal(error) if isinstance(error, DomainError) else CHECK_UNAVAILABLE
            if isinstance(error, Unauthorized):
                submission.sign_out()
            log_message("refused at MAIL FROM", principal, address, 0, 0, None, str(reply))
            return str(reply)
        submission.admit(admitted)
        _envelope(envelope).allowed_senders = allowed
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return str(SENDER_OK)

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        principal = _principal(_session(session))
        reply = await _envelope(envelope).recipients.accept(principal, address)
        if reply.code == 250:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
        return str(reply)

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        """Relay, then answer what the upstream answered (docs/smtp.md, "Replies"). The
        delivery completes even if the client hangs up meanwhile."""
        submission, submitted = _session(session), _envelope(envelope)
        refused = await self._refused_sender(submission, envelope)
        if refused is not None:
            return refused  # the transaction's credits come back as it ends
        delivered = await self.submission.deliver(
            _principal(submission),
            submitted.recipients.reservation,
            sender=envelope.mail_from or "",
            recipients=list(envelope.rcpt_tos),
            message=envelope.original_content or b"",
            options=[option for option in envelope.mail_options if option.startswith("BODY=")],
            helo=submission.host_name,
            client=submission.client,
            surface=Surface.SMTP,
            describe=lambda relayed: str(relay_reply(relayed)),
        )
        return str(relay_reply(delivered.relayed))

    async def _refused_sender(
        self, submission: SubmissionSession, envelope: Envelope
    ) -> str | None:
        """The reply refusing the message for its From: header, or None to relay it."""
        principal, message = _principal(submission), envelope.original_content or b""
        try:
            await self.submission.check_message_sender(
                principal, envelope.mail_from, message, _envelope(envelope).allowed_senders
            )
        except DomainError as error:
            reply = str(sender_refusal(error))
            sender, count = envelope.mail_from or "", len(envelope.rcpt_tos)
            log_message("refused at DATA", principal, sender, count, len(message), None, reply)
            return reply
        return None

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
