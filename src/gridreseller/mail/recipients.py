"""The recipients of the message being submitted: the one place a recipient is
accepted (RCPT TO) and given back or kept.

Sending credits (§13) plug in here: `accept` will take one credit of the login's
customer per recipient, `give_back` return the ones of a message that was not
relayed (RSET, a new EHLO, QUIT or a lost connection before the end of DATA, a
refused or failed relay), `keep` make them spent. Nothing else in the session
touches recipients.
"""

from __future__ import annotations

from gridreseller.domain.access import Principal
from gridreseller.mail.replies import RECIPIENT_OK, TOO_MANY_RECIPIENTS, Reply

# RFC 5321 §4.5.3.1.8 asks for at least 100; Postfix's default is 1000.
MAX_RECIPIENTS = 1000


class Recipients:
    def __init__(self) -> None:
        self.addresses: list[str] = []

    async def accept(self, principal: Principal, address: str) -> Reply:
        """RCPT TO: 250 and the address is taken, or the refusal."""
        if len(self.addresses) >= MAX_RECIPIENTS:
            return TOO_MANY_RECIPIENTS
        self.addresses.append(address)
        return RECIPIENT_OK

    def give_back(self) -> None:
        """The message will not be relayed: forget its recipients."""
        self.addresses = []

    def keep(self) -> None:
        """The upstream accepted the message."""
        self.addresses = []
