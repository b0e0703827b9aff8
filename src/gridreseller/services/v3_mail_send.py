"""The v3 mail send (docs/api.md, "POST /v3/mail/send") on the one outbound path.

The body is read whole (every problem together, nothing sent on any), each
personalization built into its message by the same builder as mail.send
(messages/compose.py), every message checked against the size limit, then credits
are reserved for every recipient of every message at once (all or none) before the
first is relayed; credits of whatever is not relayed are given back. A sandbox
request stops after the checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridreseller.domain.access import Principal
from gridreseller.domain.errors import Invalid, MessageTooLarge, Problem, Unavailable
from gridreseller.domain.models import Surface
from gridreseller.messages.compose import Copy, compose
from gridreseller.messages.v3_body import Personalized, V3Mail, read_v3_mail
from gridreseller.sending.submission import Delivered, Reservation, Submission
from gridreseller.sending.transports import Outcome
from gridreseller.services.context import ServiceContext
from gridreseller.services.mail_send import NOT_CONFIGURED, RELAY_RETRY_SECONDS


@dataclass(frozen=True)
class Accepted:
    """What the call answers: the first message's queue id (its Received header's and
    the message log's), or None when nothing was sent (sandbox mode)."""

    message_id: str | None


@dataclass(frozen=True)
class _Outgoing:
    index: int  # of its personalization
    message: Personalized
    copy: Copy


async def send_v3_mail(
    ctx: ServiceContext, submission: Submission | None, principal: Principal, body: object
) -> Accepted:
    now = ctx.clock()
    mail = read_v3_mail(body, now)
    outgoing = [
        _Outgoing(index, message, copy)
        for index, message in enumerate(mail.messages)
        for copy in compose(message.request, now)
    ]
    _check_size(outgoing, ctx.settings.max_message_bytes)
    if mail.sandbox:
        return Accepted(None)
    if submission is None:
        raise Unavailable(NOT_CONFIGURED)
    # Judged before any credit is taken, as mail.send does (docs/smtp.md, sender domains).
    senders = sorted({item.message.request.sender.address for item in outgoing})
    await submission.check_sender(principal, None, senders)
    count = sum(len(item.copy.recipients) for item in outgoing)
    reservation = await submission.reserve(principal, count)
    try:
        ids = await _deliver_all(submission, principal, reservation, mail, outgoing)
    finally:
        await submission.release(reservation)
    return Accepted(ids[0])


def _check_size(outgoing: list[_Outgoing], limit: int) -> None:
    for item in outgoing:
        size = len(item.copy.content)
        if size > limit:
            message = f"the message must be no more than {limit} bytes, not {size}"
            raise MessageTooLarge(f"personalizations.{item.index}: {message}")


async def _deliver_all(
    submission: Submission,
    principal: Principal,
    reservation: Reservation,
    mail: V3Mail,
    outgoing: list[_Outgoing],
) -> list[str]:
    ids: list[str] = []
    sent: list[str] = []
    for item in outgoing:
        delivered = await submission.deliver(
            principal,
            reservation,
            sender=item.message.request.sender.address,
            recipients=list(item.copy.recipients),
            message=item.copy.content,
            options=[],
            helo=None,
            client=principal.client,
            surface=Surface.API,
            details=_details(mail, item),
        )
        if not delivered.sent:
            raise _failure(delivered, item, sent)
        ids.append(delivered.message_id)
        sent.extend(item.copy.recipients)
    return ids


def _details(mail: V3Mail, item: _Outgoing) -> dict[str, object]:
    """What the audit records of a sent message (never its content)."""
    return {
        "message_id": item.copy.message_id,
        "recipients": len(item.copy.recipients),
        "categories": list(mail.categories),
        "custom_args": dict(item.message.custom_args),
    }


def _failure(delivered: Delivered, item: _Outgoing, sent: list[str]) -> Exception:
    """503 for a relay that cannot take it now; 400 naming a refused recipient by its
    field path (or the personalization, when the message was refused whole)."""
    already = f"; sent before it: {', '.join(sent)}" if sent else ""
    relayed = delivered.relayed
    upstream = ""
    if relayed.upstream_code is not None:  # the upstream's own reply, never the content
        upstream = f" ({relayed.upstream_code} {relayed.upstream_text})"
    if relayed.outcome is Outcome.RETRY_LATER:
        message = f"the mail relay cannot take the message now{upstream}; retry later{already}"
        return Unavailable(message, retry_after=RELAY_RETRY_SECONDS)
    path = f"personalizations.{item.index}"
    recipient = relayed.refused_recipient
    if recipient is None:
        message = f"the mail relay refused the message{upstream}{already}"
        return Invalid([Problem(path, message)])
    field = _field_of(recipient, item) or path
    message = f"{recipient} was refused by the mail relay{upstream}{already}"
    return Invalid([Problem(field, message)])


def _field_of(recipient: str, item: _Outgoing) -> str | None:
    request = item.message.request
    for kind, addresses in (("to", request.to), ("cc", request.cc), ("bcc", request.bcc)):
        for index, address in enumerate(addresses):
            if address.address == recipient:
                return f"personalizations.{item.index}.{kind}.{index}.email"
    return None
