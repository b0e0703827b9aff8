"""The recipients of the message being submitted: the one place a recipient is
accepted (RCPT TO) and given back or kept.

Sending credits (§13) are spent here: `accept` takes one credit of the login's
customer per recipient (in a transaction of its own, so concurrent sessions in any
number of processes never spend more than there is), `give_back` returns those of a
message that was not relayed (RSET, a new EHLO, QUIT or a lost connection before the
end of DATA, a refused or failed relay), `keep` makes them spent. Nothing else in the
session touches recipients.
"""

from __future__ import annotations

import asyncio
import logging

from gridreseller.domain.access import Principal
from gridreseller.domain.errors import DomainError
from gridreseller.mail.replies import (
    CHECK_UNAVAILABLE,
    NO_CREDITS,
    RECIPIENT_OK,
    TOO_MANY_RECIPIENTS,
    Reply,
)
from gridreseller.services import credits
from gridreseller.services.context import ServiceContext

log = logging.getLogger("gridreseller.mail")
# RFC 5321 §4.5.3.1.8 asks for at least 100; Postfix's default is 1000.
MAX_RECIPIENTS = 1000


class Recipients:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self._taken: list[credits.Taken] = []
        self._services: ServiceContext | None = None
        # Refunds under way, kept so that they are not collected before they finish.
        self._refunds: set[asyncio.Task[None]] = set()

    async def accept(self, principal: Principal, address: str, services: ServiceContext) -> Reply:
        """RCPT TO: 250 and the address is taken (and its credit), or the refusal."""
        if len(self.addresses) >= MAX_RECIPIENTS:
            return TOO_MANY_RECIPIENTS
        customer = principal.customer_id
        if customer is not None:
            self._services = services
            try:
                taken = await credits.take(services, customer)
            except DomainError:
                return CHECK_UNAVAILABLE
            if taken is None:
                return NO_CREDITS
            self._taken.append(taken)
        self.addresses.append(address)
        return RECIPIENT_OK

    async def give_back_now(self) -> None:
        """The message was not relayed: its recipients' credits come back (awaited)."""
        taken, self._taken, self.addresses = self._taken, [], []
        if taken and self._services is not None:
            await credits.give_back(self._services, taken)

    def give_back(self) -> None:
        """The transaction ended without a message (RSET, QUIT, a lost connection...):
        the credits come back in the background."""
        if not self._taken or self._services is None:
            self.addresses = []
            return
        task = asyncio.get_running_loop().create_task(self._refund())
        self._refunds.add(task)
        task.add_done_callback(self._refunds.discard)

    def keep(self) -> None:
        """The upstream accepted the message: its credits are spent."""
        self.addresses, self._taken = [], []

    async def _refund(self) -> None:
        try:
            await self.give_back_now()
        except Exception as error:  # noqa: BLE001 - a lost refund is logged, not raised
            log.warning("giving sending credits back failed: %s", type(error).__name__)
