"""The mail surface's words (docs/smtp.md): every answer of the access core and of the relay as
an SMTP reply, in one table that both the embedded server and auth_http read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gridreseller.domain.access import Denial
from gridreseller.domain.errors import Forbidden, Throttled, Unauthorized
from gridreseller.sending.submission import SenderNotAllowed
from gridreseller.sending.transports import Outcome, Relayed


@dataclass(frozen=True)
class Reply:
    """An SMTP reply: basic code, enhanced status code (RFC 3463) and text."""

    code: int
    status: str
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.status} {self.text}"

    @property
    def error_code(self) -> str:
        """What auth_http's `Auth-Error-Code` carries: `535 5.7.8`."""
        return f"{self.code} {self.status}"


AUTHENTICATED = Reply(235, "2.7.0", "Authentication successful")
BAD_CREDENTIALS = Reply(535, "5.7.8", "Bad username / password")
THROTTLED = Reply(454, "4.7.0", "Too many failed logins; try again later")
UNAVAILABLE = Reply(454, "4.3.0", "Temporarily unavailable; try again later")
TLS_FIRST = Reply(530, "5.7.0", "Must issue a STARTTLS command first")
AUTH_REQUIRED = Reply(530, "5.7.0", "Authentication required")
SENDER_OK = Reply(250, "2.1.0", "Sender OK")
RECIPIENT_OK = Reply(250, "2.1.5", "Recipient OK")
TOO_MANY_RECIPIENTS = Reply(452, "4.5.3", "Too many recipients")
# docs/api.md, sending credits: a recipient the sending credits do not cover (the client may
# retry after a reset).
NO_CREDITS = Reply(452, "4.7.1", "No sending credits left for this account")
# docs/api.md, sending credits on the nginx path: a customer with no credit left is refused at AUTH.
NO_CREDITS_AT_AUTH = Reply(454, "4.7.0", "No sending credits left for this account")
TOO_BIG = Reply(552, "5.3.4", "Message too big")
# At MAIL FROM: the session's login was renamed, deleted or its password changed.
SIGN_IN_AGAIN = Reply(530, "5.7.0", "Authentication required: the login has changed")
# At MAIL FROM or at the end of DATA (its From: header): outside the customer's allowed
# sender domains. 550 is a policy refusal RFC 5321 allows at both; 5.7.1 (RFC 3463):
# not authorized. docs/smtp.md, "Sender domains".
SENDER_NOT_ALLOWED = Reply(550, "5.7.1", "Sender address not allowed for this account")
CHECK_UNAVAILABLE = Reply(451, "4.3.0", "Cannot check the right to send now; try again later")
RELAY_UNAVAILABLE = Reply(451, "4.4.1", "Upstream not available; try again later")
LOCAL_ERROR = Reply(451, "4.3.0", "Local error; try again later")
# An address aiosmtpd took but that cannot go into a command (a control character).
UNRELAYABLE_ADDRESS = Reply(553, "5.1.0", "An address of the envelope cannot be relayed")
SHUTTING_DOWN = Reply(421, "4.3.2", "Service shutting down")
# auth_http requests that are not a login nginx should forward (decisions of ours).
UNSUPPORTED_METHOD = Reply(504, "5.5.4", "Unsupported authentication method")
UNSUPPORTED_PROTOCOL = Reply(502, "5.5.1", "Only SMTP is served")

DENIAL_TEXTS: Mapping[Denial, str] = {
    Denial.DISTRIBUTOR_DISABLED: "The login's distributor account is disabled",
    Denial.SENDING_DISABLED: "The account is disabled and may not send mail",
    Denial.NO_EMAIL_BIT: "The credential lacks the email permission",
    # The rest answer other purposes than sending; worded for completeness.
    Denial.CUSTOMER_NOT_DISTRIBUTOR: "The login may not send mail",
    Denial.CREDENTIAL_NOT_PRIMARY: "The login may not send mail",
    Denial.CUSTOMER_CREDENTIAL_NO_API: "The login may not send mail",
    Denial.NO_API_BIT: "The login may not send mail",
    Denial.NO_WEBSITE_ACCESS: "The login may not send mail",
    Denial.NO_WEB_BIT: "The login may not send mail",
}

# aiosmtpd words a few replies itself; docs/smtp.md gives their codes.
LIBRARY_REPLIES: Mapping[str, str] = {
    "538 5.7.11 Encryption required for requested authentication mechanism": str(TLS_FIRST),
    "552 Error: message size exceeds fixed maximum message size": str(TOO_BIG),
    "552 Error: Too much mail data": str(TOO_BIG),
}


def auth_refusal(error: Exception) -> Reply:
    """An AUTH that did not succeed (docs/smtp.md's AUTH replies; docs/smtp.md's header rows)."""
    if isinstance(error, Unauthorized):
        return BAD_CREDENTIALS
    if isinstance(error, Forbidden):
        return Reply(535, "5.7.1", DENIAL_TEXTS[error.denial])
    if isinstance(error, Throttled):
        return THROTTLED
    return UNAVAILABLE  # Unavailable, and anything unexpected: never a success


def sender_refusal(error: Exception) -> Reply:
    """MAIL FROM refused: the session's login may no longer send (docs/smtp.md), or not as
    that sender; DATA refused for its From: header."""
    if isinstance(error, Unauthorized):
        return SIGN_IN_AGAIN
    if isinstance(error, Forbidden):
        return Reply(550, "5.7.1", DENIAL_TEXTS[error.denial])
    if isinstance(error, SenderNotAllowed):
        return SENDER_NOT_ALLOWED
    return CHECK_UNAVAILABLE


def relay_reply(relayed: Relayed) -> Reply:
    """What came of a relay, as the client hears it at the end of DATA: the upstream's
    250 and 5xx passed through, anything else 451 4.4.1 (the client keeps the message
    and retries)."""
    if relayed.upstream_code is None:
        return UNRELAYABLE_ADDRESS if relayed.outcome is Outcome.REFUSED else RELAY_UNAVAILABLE
    return upstream_reply(relayed.upstream_code, relayed.upstream_text)


def upstream_reply(code: int, text: str) -> Reply:
    """The upstream's answer as ours: success and 5xx passed through, 4xx as 451 4.4.1."""
    if code // 100 not in _DEFAULT_STATUS:
        return RELAY_UNAVAILABLE
    # One line of printable ASCII: our replies are not SMTPUTF8.
    line = " ".join(text.encode("ascii", "replace").decode().split())
    status, _, rest = line.partition(" ")
    if _is_enhanced(status, code):
        return Reply(code, status, rest)
    return Reply(code, _DEFAULT_STATUS[code // 100], line)


# Upstream 4xx and anything unexpected mean "not accepted, try again": 451 4.4.1.
_DEFAULT_STATUS = {2: "2.0.0", 5: "5.0.0"}


def _is_enhanced(status: str, code: int) -> bool:
    parts = status.split(".")
    return len(parts) == 3 and all(p.isdigit() for p in parts) and parts[0] == str(code // 100)
