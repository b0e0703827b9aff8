"""mail.send's parameters: read into a `MailRequest` (api/legacy/mail_request.py) and
sent by services/mail_send.py; declared here for the OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import Email, Kind, Text
from gridreseller.api.legacy.mail_request import read_request
from gridreseller.api.legacy.params import Params
from gridreseller.domain.access import Principal
from gridreseller.domain.models import Success
from gridreseller.sending.submission import Submission
from gridreseller.services.context import ServiceContext
from gridreseller.services.mail_send import send_mail

BODY = Kind()  # any text, line breaks included


def _field(name: str, kind: Kind, description: str, **options: Any) -> Field:
    return Field(name, kind, description=description, **options)


# mail.send's parameters as the OpenAPI document lists them (api/openapi.py). They are
# read by api/legacy/mail_request.py, not by this declaration: `files[NAME]` and
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
    """The call; `declaration` documents its parameters (api/openapi.py)."""

    summary: str
    declaration: Declaration[Any]

    async def run(
        self,
        ctx: ServiceContext,
        submission: Submission | None,
        principal: Principal,
        params: Params,
    ) -> Success:
        return await send_mail(ctx, submission, principal, read_request(params))


SEND = MailSend("Send a message (legacy mail.send)", DOCUMENTED)
