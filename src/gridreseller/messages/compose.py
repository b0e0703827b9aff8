"""A `MailRequest` into the messages it sends, built with Python's `email` package.

One `Copy` per x-smtpapi `to` recipient (its `To:` names only it), else one for the
form's `to`. The form's `cc` go in every copy's `Cc:`; `bcc` only ever in envelopes.
Text and html are multipart/alternative; `content[NAME]` files are inline parts of
the html (multipart/related); other files are attachments (multipart/mixed).
"""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime

from gridreseller.messages.addresses import LINE_BREAKS, MailAddress
from gridreseller.messages.request import Attachment, MailRequest


@dataclass(frozen=True)
class Copy:
    """One message to relay: its envelope recipients, Message-ID and bytes."""

    recipients: tuple[str, ...]
    message_id: str
    content: bytes


def compose(request: MailRequest, now: datetime) -> list[Copy]:
    """Every copy the call sends, in order."""
    if not request.smtpapi.to:
        envelope = _envelope(request.to, request)
        return [_copy(request, request.to, envelope, 0, now)]
    return [
        _copy(request, (recipient,), _envelope((recipient,), request), index, now)
        for index, recipient in enumerate(request.smtpapi.to)
    ]


def _envelope(to: Iterable[MailAddress], request: MailRequest) -> tuple[str, ...]:
    """One envelope recipient per address: the copy's `to`, then `cc` and `bcc`."""
    every = [a.address for a in (*to, *request.cc, *request.bcc)]
    return tuple(dict.fromkeys(every))


def _copy(
    request: MailRequest,
    to: tuple[MailAddress, ...],
    envelope: tuple[str, ...],
    index: int,
    now: datetime,
) -> Copy:
    message = EmailMessage(policy=policy.SMTP)
    message_id = new_message_id(request.sender.address)
    _write_headers(message, request, to, index, (message_id, now))
    _write_body(message, request, index)
    for part in message.iter_parts():
        _drop_part_versions(part)
    return Copy(envelope, message_id, message.as_bytes())


def new_message_id(sender: str) -> str:
    """`<random@the sender's domain>`: unique without asking for this host's name."""
    return f"<{secrets.token_hex(16)}@{sender.rsplit('@', 1)[-1]}>"


def _drop_part_versions(part: MIMEPart) -> None:
    """MIME-Version belongs in the message's header only (the `email` package also
    writes it into parts it converts to multipart)."""
    del part["MIME-Version"]
    for inner in part.iter_parts():
        _drop_part_versions(inner)


def _write_headers(
    message: EmailMessage,
    request: MailRequest,
    to: tuple[MailAddress, ...],
    index: int,
    stamp: tuple[str, datetime],
) -> None:
    message_id, now = stamp
    message["From"] = _address(request.sender)
    message["To"] = [_address(a) for a in to]
    if request.cc:
        message["Cc"] = [_address(a) for a in request.cc]
    if request.reply_to:
        message["Reply-To"] = Address(addr_spec=request.reply_to)
    # A `sub` or `section` value may bring a line break into the subject: a space there.
    subject = request.smtpapi.personalize(request.subject, index)
    message["Subject"] = LINE_BREAKS.sub(" ", subject)
    when = request.date or (now if now.tzinfo else now.replace(tzinfo=UTC))
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id
    for name, value in request.headers:
        message[name] = value


def _address(address: MailAddress) -> Address:
    return Address(display_name=address.name, addr_spec=address.address)


def _write_body(message: EmailMessage, request: MailRequest, index: int) -> None:
    api = request.smtpapi
    text = api.personalize(request.text, index) if request.text is not None else None
    html = api.personalize(request.html, index) if request.html is not None else None
    inline = [a for a in request.attachments if a.content_id and html is not None]
    attached = [a for a in request.attachments if a not in inline]
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is not None:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
        html_part = list(message.iter_parts())[1] if text is not None else message
        for attachment in inline:
            maintype, subtype = _media_type(attachment.filename)
            html_part.add_related(
                attachment.data,
                maintype,
                subtype,
                cid=f"<{attachment.content_id}>",
                filename=attachment.filename,
                disposition="inline",
            )
    for attachment in attached:
        _attach(message, attachment)


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    maintype, subtype = _media_type(attachment.filename)
    message.add_attachment(attachment.data, maintype, subtype, filename=attachment.filename)


def _media_type(filename: str) -> tuple[str, str]:
    """By the file's name; bytes of unknown kind are application/octet-stream."""
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return maintype, subtype
