"""mail.send (docs/api.md): a message posted over HTTP, sent on the one outbound path.

The request is read whole (every problem together, nothing sent on any), built into
its copies, checked against the message size limit, then its credits are reserved for
every recipient of every copy at once (all or none) before the first copy is relayed.
Credits of whatever is not relayed are given back.
"""

from __future__ import annotations

from gridreseller.domain.access import Principal
from gridreseller.domain.errors import Invalid, MessageTooLarge, Problem, Unavailable
from gridreseller.domain.models import Success, Surface
from gridreseller.messages.compose import Copy, compose
from gridreseller.messages.request import MailRequest
from gridreseller.sending.submission import Delivered, Reservation, Submission
from gridreseller.sending.transports import Outcome
from gridreseller.services.context import ServiceContext

NOT_CONFIGURED = "sending is not configured (GRIDRESELLER_RELAY is not set)"
# How long a client is asked to wait after the upstream could not take a message.
RELAY_RETRY_SECONDS = 60
# Sending comes back only with a restart that sets GRIDRESELLER_RELAY: not soon.
NOT_CONFIGURED_RETRY_SECONDS = 3600


async def send_mail(
    ctx: ServiceContext, submission: Submission | None, principal: Principal, request: MailRequest
) -> Success:
    """Builds the request's copies, checks their size, reserves credits for every
    recipient of every copy (all or none), relays each, gives back what was not sent."""
    copies = compose(request, ctx.clock())
    _check_size(copies, ctx.settings.max_message_bytes)
    if submission is None:
        raise Unavailable(NOT_CONFIGURED, retry_after=NOT_CONFIGURED_RETRY_SECONDS)
    # `from` is both the envelope's sender and the From: header (which `headers` may
    # not set): judged once, as the header, so that the refusal names `from`.
    await submission.check_sender(principal, None, [request.sender.address])
    count = sum(len(copy.recipients) for copy in copies)
    reservation = await submission.reserve(principal, count)
    try:
        await _deliver_all(submission, principal, reservation, request, copies)
    finally:
        await submission.release(reservation)
    return Success()


def _check_size(copies: list[Copy], limit: int) -> None:
    largest = max(len(copy.content) for copy in copies)
    if largest > limit:
        raise MessageTooLarge(f"the message must be no more than {limit} bytes, not {largest}")


async def _deliver_all(
    submission: Submission,
    principal: Principal,
    reservation: Reservation,
    request: MailRequest,
    copies: list[Copy],
) -> None:
    sent: list[str] = []
    for copy in copies:
        delivered = await submission.deliver(
            principal,
            reservation,
            sender=request.sender.address,
            recipients=list(copy.recipients),
            message=copy.content,
            options=[],
            helo=None,
            client=principal.client,
            surface=Surface.API,
            details=_details(request, copy),
        )
        if not delivered.sent:
            raise _failure(delivered, request, sent)
        sent.extend(copy.recipients)


def _details(request: MailRequest, copy: Copy) -> dict[str, object]:
    """What the audit records of a sent message (never its content)."""
    return {
        "message_id": copy.message_id,
        "recipients": len(copy.recipients),
        "categories": list(request.smtpapi.categories),
        "unique_args": dict(request.smtpapi.unique_args),
    }


def _failure(delivered: Delivered, request: MailRequest, sent: list[str]) -> Exception:
    """503 for a relay that cannot take it now; 400 naming a refused recipient (or the
    message, refused whole)."""
    already = f"; sent before it: {', '.join(sent)}" if sent else ""
    upstream = _upstream(delivered)
    relayed = delivered.relayed
    if relayed.outcome is Outcome.RETRY_LATER:
        message = f"the mail relay cannot take the message now{upstream}; retry later{already}"
        return Unavailable(message, retry_after=RELAY_RETRY_SECONDS)
    recipient = relayed.refused_recipient
    if recipient is None:
        return Invalid([f"the mail relay refused the message{upstream}{already}"])
    parameter = _parameter_of(recipient, request)
    message = f"{parameter} {recipient} was refused by the mail relay{upstream}{already}"
    return Invalid([Problem(parameter, message)])


def _upstream(delivered: Delivered) -> str:
    """The upstream's own reply, where there was one (never the message's content)."""
    relayed = delivered.relayed
    if relayed.upstream_code is None:
        return ""
    return f" ({relayed.upstream_code} {relayed.upstream_text})"


def _parameter_of(recipient: str, request: MailRequest) -> str:
    for name, addresses in (("cc", request.cc), ("bcc", request.bcc)):
        if any(a.address == recipient for a in addresses):
            return name
    return "x-smtpapi to" if request.smtpapi.to else "to"
