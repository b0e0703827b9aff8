"""The recipients of the message being submitted: the one place a recipient is
accepted (RCPT TO) and given back.

Sending credits (docs/smtp.md, "When sending credits run out") are spent through the
outbound path's Submission: `accept` reserves one credit of the login's customer per
recipient (in a transaction of its own, so concurrent sessions in any number of
processes never spend more than there is); the message's delivery keeps them or
gives them back; `give_back` returns those of a transaction that ended without a
message (RSET, a new EHLO, QUIT, a lost connection or a timeout before the end of
DATA). Nothing else in the session touches recipients.
"""

from __future__ import annotations

from gridreseller.domain.access import Principal
from gridreseller.domain.errors import DomainError
from gridreseller.mail.replies import (
    CHECK_UNAVAILABLE,
    NO_CREDITS,
    RECIPIENT_OK,
    TOO_MANY_RECIPIENTS,
    Reply,
)
from gridreseller.sending.submission import NoCredits, Reservation, Submission

# RFC 5321 §4.5.3.1.8 asks for at least 100; Postfix's default is 1000.
MAX_RECIPIENTS = 1000


class Recipients:
    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        self.addresses: list[str] = []
        self.reservation = Reservation()

    async def accept(self, principal: Principal, address: str) -> Reply:
        """RCPT TO: 250 and the address is taken (and its credit), or the refusal."""
        if len(self.addresses) >= MAX_RECIPIENTS:
            return TOO_MANY_RECIPIENTS
        try:
            await self.submission.reserve(principal, 1, self.reservation)
        except NoCredits:
            return NO_CREDITS
        except DomainError:
            return CHECK_UNAVAILABLE
        self.addresses.append(address)
        return RECIPIENT_OK

    def give_back(self) -> None:
        """The transaction ended without a message: the credits come back at once (the
        write finishes in the background)."""
        self.addresses = []
        self.submission.release_soon(self.reservation)
