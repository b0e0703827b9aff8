"""The submission service: the steps of sending that both surfaces share (the SMTP
server per RCPT TO and DATA, the HTTP `mail.send` per call), so that the two ways of
sending cannot drift apart.

- `reserve`: credits of the login's customer for some recipients, all or none, in
  one write transaction (services/credits.py); `NoCredits` when they are not covered.
- `deliver`: the trace header, the relay, the credits kept for what the upstream
  accepted and given back for the rest, the message log line and the audit entry.
  All of it finishes even when the caller is cancelled meanwhile (an SMTP client
  that hangs up after its final dot): a relay under way is completed, and what the
  upstream accepted is paid for and recorded.
  The account's sending activity is counted as it goes (docs/dashboard.md): credits
  used and recipients refused for credits in the transactions that take them
  (`credits.take`) and give them back (`credits.give_back`), messages sent
  or refused (by the upstream, or for a sender outside the allowed sender domains)
  in the audit entries' batch.
- `release`: credits of recipients that will not be sent, given back at once (RSET,
  QUIT, a lost connection, a refused call).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from gridreseller.domain.access import Principal
from gridreseller.domain.activity import ActivityKey, Counted, Counts
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.errors import DomainError
from gridreseller.domain.models import Surface
from gridreseller.domain.senders import AllowedSenders
from gridreseller.sending.message_log import log_message
from gridreseller.sending.received import received_header
from gridreseller.sending.senders import from_addresses
from gridreseller.sending.transports import Relayed, Transport
from gridreseller.services import credits
from gridreseller.services.context import ServiceContext

log = logging.getLogger("gridreseller.sending")
T = TypeVar("T")
# The Received header's protocol per surface (RFC 3848 for ESMTPSA).
PROTOCOLS: Mapping[Surface, str] = {Surface.SMTP: "ESMTPSA", Surface.API: "HTTP"}


class NoCredits(DomainError):
    """The customer's remaining credits do not cover the recipients."""

    def __init__(self) -> None:
        super().__init__("not enough sending credits left for this account")


class SenderNotAllowed(DomainError):
    """A sender address outside the customer's allowed sender domains (docs/smtp.md,
    "Sender domains"). `field` says which: the envelope's sender or a From: header."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} address not allowed for this account")
        self.field = field


ENVELOPE_SENDER = "sender"
HEADER_FROM = "from"


@dataclass
class Reservation:
    """Credits held for recipients not sent yet (none for a login that spends none)."""

    taken: list[credits.Taken] = field(default_factory=list)

    @property
    def held(self) -> int:
        return sum(t.count for t in self.taken if t.generation is not None)

    def detach(self, count: int) -> list[credits.Taken]:
        """The credits of `count` recipients, oldest first, no longer held here."""
        detached: list[credits.Taken] = []
        while count > 0 and self.taken:
            first = self.taken[0]
            if first.count <= count:
                detached.append(self.taken.pop(0))
                count -= first.count
            else:
                detached.append(replace(first, count=count))
                self.taken[0] = replace(first, count=first.count - count)
                count = 0
        return detached

    def detach_all(self) -> list[credits.Taken]:
        taken, self.taken = self.taken, []
        return taken


@dataclass(frozen=True)
class Delivered:
    """What came of one message: its id (in the Received header and the log) and the
    transport's outcome."""

    message_id: str
    relayed: Relayed

    @property
    def sent(self) -> bool:
        return self.relayed.sent


def upstream_words(relayed: Relayed) -> str:
    """The upstream's reply as one line (the log's default `reply`)."""
    return f"{relayed.upstream_code or '-'} {relayed.upstream_text}".strip()


class Submission:
    def __init__(
        self,
        services: ServiceContext,
        transport: Transport,
        hostname: str,
        record: Callable[[AuditEntry], None],
        tally: Callable[[ActivityKey, Counts], None],
    ) -> None:
        self.services = services
        self.transport = transport
        self.hostname = hostname
        # Where audit entries go: a batch written about once a second, so that no
        # message waits for a write of its own (identity/login_audit.py).
        self._record = record
        # Where sent and refused messages are counted: the same batch's way.
        self._tally = tally
        # Deliveries and give-backs under way, kept (a task nobody references may be
        # collected) and awaited at shutdown.
        self._pending: set[asyncio.Task[Any]] = set()

    async def reserve(
        self, principal: Principal, count: int, reservation: Reservation | None = None
    ) -> Reservation:
        """Credits for `count` more recipients, added to `reservation` (a new one when
        None). NoCredits when they are not covered; DomainError (Unavailable) when the
        database cannot say. A login that spends no credits costs nothing here."""
        reservation = reservation if reservation is not None else Reservation()
        customer = principal.customer_id
        if customer is None or count < 1:
            return reservation
        # A customer without a limit (the default) spends nothing: a read, awaited
        # here (a cancelled read took nothing). Only a write is run apart and shielded:
        # a task costs turns of the event loop, each one behind every other session's.
        if await self.services.uow.run_read(lambda r: r.sending_limit(customer)) is None:
            return reservation
        counted = Counted(principal.tenant_id, principal.purpose.surface.value)
        taking = self._detached(credits.take(self.services, customer, count, counted))
        try:
            taken = await asyncio.shield(taking)
        except asyncio.CancelledError:
            # The caller is gone; credits the write took anyway come back.
            taking.add_done_callback(self._give_back_when_taken)
            raise
        if taken is None:
            raise NoCredits()
        if taken.generation is not None:
            reservation.taken.append(taken)
        return reservation

    async def check_sender(
        self,
        principal: Principal,
        envelope_sender: str | None,
        header_from: Sequence[str] = (),
    ) -> AllowedSenders:
        """SenderNotAllowed unless the envelope's sender and every From: address are in
        the customer's allowed sender domains (an empty list: any). An empty envelope
        sender (a bounce's null path) is not judged; its From: header is. Only customers
        and their credentials are bound; Unavailable when the database cannot say.
        The list judged is returned, for the same transaction's From: check."""
        allowed = await self._allowed_senders(principal)
        if not allowed.any:
            self._judge(principal, allowed, envelope_sender, header_from)
        return allowed

    async def check_message_sender(
        self,
        principal: Principal,
        envelope_sender: str | None,
        message: bytes,
        allowed: AllowedSenders | None = None,
    ) -> None:
        """`check_sender` with the From: headers of a message as it will be relayed
        (read only when there is a list to judge them by). `allowed`: the list as read
        at this transaction's MAIL FROM, so that a message costs one read, not two."""
        if allowed is None:
            allowed = await self._allowed_senders(principal)
        if not allowed.any:
            self._judge(principal, allowed, envelope_sender, from_addresses(message))

    def _judge(
        self,
        principal: Principal,
        allowed: AllowedSenders,
        envelope_sender: str | None,
        header_from: Sequence[str],
    ) -> None:
        """SenderNotAllowed, counted as a refused message of the account's day (with
        the messages the upstream refused: docs/dashboard.md, "Activity")."""
        try:
            _judge(allowed, envelope_sender, header_from)
        except SenderNotAllowed:
            surface = principal.purpose.surface.value
            day = self.services.clock().date()
            key = ActivityKey(principal.account_id, principal.tenant_id, day, surface)
            self._tally(key, Counts(messages_refused=1))
            raise

    async def _allowed_senders(self, principal: Principal) -> AllowedSenders:
        customer = principal.customer_id
        if customer is None:
            return ANY_SENDER
        stored = await self.services.uow.run_read(lambda r: r.sender_domains(customer))
        return AllowedSenders.stored(stored)

    async def deliver(
        self,
        principal: Principal,
        reservation: Reservation,
        *,
        sender: str,
        recipients: list[str],
        message: bytes,
        options: list[str],
        helo: str | None,
        client: str,
        surface: Surface,
        details: Mapping[str, object] | None = None,
        describe: Callable[[Relayed], str] = upstream_words,
    ) -> Delivered:
        """Relay one message to `recipients`, paid with as many of `reservation`'s
        credits (all of them when it holds fewer). `describe` words the outcome as the
        surface answers it, for the log line. Completes even if the caller is cancelled."""
        held = reservation.detach(len(recipients))  # before any await: release() can't
        delivery = _Delivery(
            principal=principal,
            held=held,
            sender=sender,
            recipients=list(recipients),
            message=message,
            options=options,
            helo=helo,
            client=client,
            surface=surface,
            details=dict(details or {}),
            describe=describe,
        )
        return await asyncio.shield(self._detached(self._deliver(delivery)))

    async def release(self, reservation: Reservation) -> None:
        """Give the reservation's credits back now (what was not sent)."""
        await self._give_back(reservation.detach_all())

    def release_soon(self, reservation: Reservation) -> None:
        """`release`, for callers that cannot await (protocol callbacks): started now,
        finished in the background, awaited by `drain`."""
        taken = reservation.detach_all()
        if any(t.generation is not None for t in taken):
            self._detached(self._give_back(taken))

    async def drain(self) -> None:
        """Wait for this event loop's deliveries and give-backs under way (at shutdown)."""
        loop = asyncio.get_running_loop()
        while here := [task for task in self._pending if task.get_loop() is loop]:
            await asyncio.gather(*here, return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
        await self.transport.close()

    async def _deliver(self, delivery: _Delivery) -> Delivered:
        message_id = secrets.token_hex(6).upper()
        now = self.services.clock()
        trace = received_header(
            helo=delivery.helo,
            client=delivery.client,
            hostname=self.hostname,
            message_id=message_id,
            login=delivery.principal.username,
            when=now,
            protocol=PROTOCOLS.get(delivery.surface, "ESMTPSA"),
        )
        try:
            relayed = await self.transport.send(
                delivery.sender, delivery.recipients, trace + delivery.message, delivery.options
            )
        except BaseException:
            await self._give_back(delivery.held)
            self._count(delivery, now, Counts(messages_refused=1))
            raise
        if not relayed.sent:
            await self._give_back(delivery.held)
        self._log(delivery, message_id, relayed)
        if relayed.sent:
            self._audit(delivery, message_id)
            self._count(delivery, now, Counts(messages=1, recipients=len(delivery.recipients)))
        else:
            self._count(delivery, now, Counts(messages_refused=1))
        return Delivered(message_id, relayed)

    def _count(self, delivery: _Delivery, now: datetime, counts: Counts) -> None:
        """The message's counts, on the day it was relayed (the Received header's)."""
        principal = delivery.principal
        key = ActivityKey(
            principal.account_id, principal.tenant_id, now.date(), delivery.surface.value
        )
        self._tally(key, counts)

    def _log(self, delivery: _Delivery, message_id: str, relayed: Relayed) -> None:
        verdict = f"{message_id} relayed" if relayed.sent else f"{message_id} refused"
        log_message(
            verdict,
            delivery.principal,
            delivery.sender,
            len(delivery.recipients),
            len(delivery.message),
            relayed.upstream_code,
            delivery.describe(relayed),
        )

    def _audit(self, delivery: _Delivery, message_id: str) -> None:
        principal = delivery.principal
        fields: dict[str, object] = {"recipients": len(delivery.recipients), **delivery.details}
        self._record(
            AuditEntry.of(
                occurred_at=self.services.clock(),
                distributor_id=principal.tenant_id,
                actor=principal.username,
                client=delivery.client,
                surface=delivery.surface.value,
                action="mail.sent",
                target=message_id,
                fields=fields,
            )
        )

    async def _give_back(self, taken: list[credits.Taken]) -> None:
        try:
            await credits.give_back(self.services, taken)
        except Exception as error:  # noqa: BLE001 - a lost refund is logged, not raised
            log.warning("giving sending credits back failed: %s", type(error).__name__)

    def _give_back_when_taken(self, taking: asyncio.Task[credits.Taken | None]) -> None:
        if taking.cancelled() or taking.exception() is not None:
            return
        taken = taking.result()
        if taken is not None:
            self._detached(self._give_back([taken]))

    def _detached(self, work: Awaitable[T]) -> asyncio.Task[T]:
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task


ANY_SENDER = AllowedSenders(())
# The null reverse path, as a caller may hand it over (aiosmtpd gives `<>`).
NULL_SENDERS = (None, "", "<>")


def _judge(allowed: AllowedSenders, envelope_sender: str | None, from_: Sequence[str]) -> None:
    if envelope_sender not in NULL_SENDERS and not allowed.allows(envelope_sender):
        raise SenderNotAllowed(ENVELOPE_SENDER)
    if not all(allowed.allows(address) for address in from_):
        raise SenderNotAllowed(HEADER_FROM)


@dataclass(frozen=True)
class _Delivery:
    principal: Principal
    held: list[credits.Taken]
    sender: str
    recipients: list[str]
    message: bytes
    options: list[str]
    helo: str | None
    client: str
    surface: Surface
    details: dict[str, object]
    describe: Callable[[Relayed], str]
