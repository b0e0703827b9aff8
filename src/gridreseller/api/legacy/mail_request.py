"""mail.send's parameters (docs/api.md) into a `MailRequest`, every problem together.

Each problem names its parameter, one message per bad parameter; a request with any
problem sends nothing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from gridreseller.api.legacy.params import Params
from gridreseller.domain import rules
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.messages.addresses import MailAddress, has_line_break, is_mail_address
from gridreseller.messages.request import (
    LINE_BREAKS_OR_CONTROLS,
    MAX_FILE_BYTES,
    Attachment,
    MailRequest,
    header_problem,
)
from gridreseller.messages.smtpapi import MAX_RECIPIENTS, SmtpApi, SmtpApiProblem, parse_smtpapi
from gridreseller.messages.smtpapi import NAME as SMTPAPI

# The order in which problems are reported (files[...] and content[...] last).
ORDER = (
    "to", "toname", "cc", "ccname", "bcc", "bccname", "from", "fromname", "replyto",
    "subject", "text", "date", "headers", SMTPAPI,
)  # fmt: skip
_BODY_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


class _Reader:
    def __init__(self, params: Params) -> None:
        self.params = params
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str) -> None:
        if all(p.field != name for p in self.problems):  # one message per parameter
            self.problems.append(Problem(name, message))

    def text(self, name: str, *, required: bool = False, body: bool = False) -> str | None:
        value = self.params.get(name)
        if not value:
            if required:
                self.problem(name, f"{name} is required")
            return None
        if _BODY_ILLEGAL.search(value) or (not body and has_line_break(value)):
            what = "control characters" if body else LINE_BREAKS_OR_CONTROLS
            self.problem(name, f"{name} must not contain {what}")
            return None
        return value

    def address(self, name: str, *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and not is_mail_address(value):
            self.problem(name, f"{name} must be a valid email address")
            return None
        return value

    def addresses(self, name: str, names_name: str) -> tuple[MailAddress, ...]:
        given = [value for value in self.params.arrays.get(name, []) if value]
        if any(not is_mail_address(value) for value in given):
            self.problem(name, f"{name} must be a valid email address")
        names = self.params.arrays.get(names_name, [])
        if len(names) > len(given):
            self.problem(names_name, f"{names_name} must have at most as many values as {name}")
        elif any(rules.has_illegal_characters(n) or has_line_break(n) for n in names):
            self.problem(names_name, f"{names_name} must not contain {LINE_BREAKS_OR_CONTROLS}")
        padded = [*names, *[""] * len(given)][: len(given)]
        return tuple(MailAddress(a, n) for a, n in zip(given, padded, strict=True))


def read_request(params: Params) -> MailRequest:
    """The call's request, or Invalid with every problem (in the parameters' order)."""
    reader = _Reader(params)
    smtpapi = _smtpapi(reader)
    to, cc, bcc = _recipients(reader, smtpapi)
    sender = reader.address("from", required=True) or ""
    fromname = reader.text("fromname") or ""
    reply_to = reader.address("replyto")
    subject = reader.text("subject", required=True) or ""
    text, html = _bodies(reader)
    request = MailRequest(
        sender=MailAddress(sender, fromname),
        subject=subject,
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=reply_to,
        text=text,
        html=html,
        date=_date(reader),
        headers=_headers(reader),
        attachments=_attachments(reader),
        smtpapi=smtpapi,
    )
    if request.recipient_count > MAX_RECIPIENTS:
        reader.problem("to", f"to, cc and bcc may have at most {MAX_RECIPIENTS} recipients")
    if reader.problems:
        ordered: list[Problem] = sorted(reader.problems, key=_position)
        raise Invalid(ordered)
    return request


Recipients = tuple[MailAddress, ...]


def _recipients(reader: _Reader, smtpapi: SmtpApi) -> tuple[Recipients, Recipients, Recipients]:
    """`to` (none when x-smtpapi has its own: old clients put the sender there), `cc`
    and `bcc`."""
    to = reader.addresses("to", "toname")
    if not to and not smtpapi.to:
        reader.problem("to", "to is required")
    cc, bcc = reader.addresses("cc", "ccname"), reader.addresses("bcc", "bccname")
    return () if smtpapi.to else to, cc, bcc


def _bodies(reader: _Reader) -> tuple[str | None, str | None]:
    text, html = reader.text("text", body=True), reader.text("html", body=True)
    if not reader.params.get("text") and not reader.params.get("html"):
        reader.problem("text", "text or html is required")
    return text, html


def _position(problem: Problem) -> int:
    name = problem.field or ""
    return ORDER.index(name) if name in ORDER else len(ORDER)


def _smtpapi(reader: _Reader) -> SmtpApi:
    raw = reader.params.get(SMTPAPI)
    if not raw:
        return SmtpApi()
    try:
        return parse_smtpapi(raw)
    except SmtpApiProblem as problem:
        reader.problem(SMTPAPI, str(problem))
        return SmtpApi()


def _date(reader: _Reader) -> datetime | None:
    raw = reader.text("date")
    if raw is None:
        return None
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        reader.problem("date", "date must be an RFC 5322 date (Thu, 21 Dec 2000 16:01:07 +0200)")
        return None


def _headers(reader: _Reader) -> tuple[tuple[str, str], ...]:
    raw = reader.params.get("headers")
    if not raw:
        return ()
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
        reader.problem("headers", "headers must be a JSON object of header name -> string")
        return ()
    for name, value in document.items():
        problem = header_problem(name, value)
        if problem:
            reader.problem("headers", problem)
            return ()
    return tuple(document.items())


def _attachments(reader: _Reader) -> tuple[Attachment, ...]:
    files = {_bracketed(name, "files"): data for name, data in reader.params.uploads.items()}
    content_ids = _content_ids(reader, set(files))
    attachments = []
    for filename, data in files.items():
        parameter = f"files[{filename}]"
        if not filename or rules.has_illegal_characters(filename) or has_line_break(filename):
            reader.problem(parameter, f"{parameter[:120]} must name the file in brackets")
        elif len(data) > MAX_FILE_BYTES:
            reader.problem(parameter, f"{parameter} must be no more than 7 MiB")
        else:
            attachments.append(Attachment(filename, data, content_ids.get(filename)))
    return tuple(attachments)


def _content_ids(reader: _Reader, filenames: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in reader.params.values.items():
        if not name.startswith("content["):
            continue
        filename = _bracketed(name, "content")
        if filename not in filenames:
            reader.problem(name, f"{name[:120]} must name a file given as files[...]")
        elif not value or not value.isascii() or rules.has_illegal_characters(value):
            reader.problem(name, f"{name[:120]} must be a Content-ID without control characters")
        else:
            found[filename] = value
    return found


def _bracketed(name: str, prefix: str) -> str:
    """NAME of `prefix[NAME]` (empty when it is not spelled so)."""
    inner = name[len(prefix) + 1 :]
    return inner[:-1] if inner.endswith("]") else ""
