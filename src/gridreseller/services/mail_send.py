"""mail.send (docs/api.md): a message posted over HTTP, sent on the one outbound path.

The request is read whole (every problem together, nothing sent on any), built into
its copies, checked against the message size limit, then its credits are reserved for
every recipient of every copy at once (all or none) before the first copy is relayed.
Credits of whatever is not relayed are given back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridreseller.domain.access import Principal
from gridreseller.domain.errors import Invalid, MessageTooLarge, Problem, Unavailable
from gridreseller.domain.fields import Declaration, Email, Field, Kind, Text
from gridreseller.domain.models import Success, Surface
from gridreseller.domain.params import Params
from gridreseller.messages.compose import Copy, compose
from gridreseller.messages.request import MailRequest, read_request
from gridreseller.sending.submission import Delivered, Reservation, Submission
from gridreseller.sending.transports import Outcome
from gridreseller.services.context import ServiceContext

NOT_CONFIGURED = "sending is not configured (GRIDRESELLER_RELAY is not set)"
# How long a client is asked to wait after the upstream could not take a message.
RELAY_RETRY_SECONDS = 60
# Sending comes back only with a restart that sets GRIDRESELLER_RELAY: not soon.
NOT_CONFIGURED_RETRY_SECONDS = 3600


BODY = Kind()  # any text, line breaks included


def _field(name: str, kind: Kind, description: str, **options: Any) -> Field:
    return Field(name, kind, description=description, **options)


# mail.send's parameters as the OpenAPI document lists them (api/openapi.py). They are
# read by messages/request.py, not by this declaration: `files[NAME]` and
# `content[NAME]` have no fixed names, and the rules span parameters.
DOCUMENTED: Declaration[dict[str, Any]] = Declaration(
    dict,
    (
        _field("to", Email(), "Recipients (`to`, `to[]` or `to[0]`...); required "
               "unless x-smtpapi has `to`.", repeatable=True, example="ann@example.com"),
        _field("toname", Text(), "The i-th names the i-th `to`.", repeatable=True),
        _field("cc", Email(), "Copy recipients.", repeatable=True),
        _field("ccname", Text(), "The i-th names the i-th `cc`.", repeatable=True),
        _field("bcc", Email(), "Blind copy recipients (never in a header).", repeatable=True),
        _field("bccname", Text(), "Accepted for symmetry; bcc names appear nowhere.",
               repeatable=True),
        _field("from", Email(), "The sender's address.", required=True,
               example="news@example.com"),
        _field("fromname", Text(), "The sender's display name."),
        _field("replyto", Email(), "Reply-To address."),
        _field("subject", Text(), "The subject (no line breaks).", required=True,
               example="Hello"),
        _field("text", BODY, "The plain text body (text or html is required).",
               example="Hello."),
        _field("html", BODY, "The HTML body; `cid:` names content[NAME] parts."),
        _field("date", Text(), "RFC 5322 date, e.g. `Thu, 21 Dec 2000 16:01:07 +0200`."),
        _field("headers", BODY, "JSON object of extra header name -> value."),
        _field("x-smtpapi", BODY, "JSON: to, sub, section, category, unique_args."),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class MailSend:
    """The use case; `declaration` documents its parameters (api/openapi.py)."""

    summary: str
    declaration: Declaration[Any]

    async def run(
        self,
        ctx: ServiceContext,
        submission: Submission | None,
        principal: Principal,
        params: Params,
    ) -> Success:
        request = read_request(params)
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


SEND = MailSend("Send a message (legacy mail.send)", DOCUMENTED)


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
