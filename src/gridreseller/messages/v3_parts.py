"""The pieces of a v3 mail body (docs/api.md, "POST /v3/mail/send"): addresses, string
maps, headers, content and attachments, each read with its field path.

A `Problems` collects what is wrong, each problem under the path of the value it is
about (`personalizations.0.to.1.email`), so that a body's errors come back together.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from gridreseller.domain import rules
from gridreseller.domain.errors import Problem
from gridreseller.messages.addresses import MailAddress, has_line_break, is_mail_address
from gridreseller.messages.request import MAX_FILE_BYTES, Attachment, header_problem

TEXT, HTML = "text/plain", "text/html"
DISPOSITIONS = ("attachment", "inline")
_NAME_PART = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(f"{_NAME_PART}/{_NAME_PART}")
_BODY_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


class Problems:
    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: str | None, message: str) -> None:
        self.found.append(Problem(path, message))

    def line(self, path: str, value: object, *, required: bool = False) -> str | None:
        """A string without line breaks or control characters (a header's worth)."""
        if value is None or value == "":
            if required:
                self.add(path, f"{path} is required")
            return None
        if not isinstance(value, str):
            self.add(path, f"{path} must be a string")
            return None
        if has_line_break(value) or rules.has_illegal_characters(value):
            self.add(path, f"{path} must not contain line breaks or control characters")
            return None
        return value

    def array(self, path: str, value: object, *, required: bool = False) -> list[Any]:
        if value is None:
            if required:
                self.add(path, f"{path} is required")
            return []
        if not isinstance(value, list):
            self.add(path, f"{path} must be an array")
            return []
        return value

    def mapping(self, path: str, value: object) -> Mapping[str, Any] | None:
        """An object, or None (absent, or wrong: then a problem says so)."""
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(path, f"{path} must be an object")
            return None
        return value


def address(problems: Problems, path: str, value: object) -> MailAddress | None:
    """`{"email": ..., "name": ...}`."""
    found = problems.mapping(path, value)
    if found is None:
        if value is None:
            problems.add(f"{path}.email", f"{path}.email is required")
        return None
    email = problems.line(f"{path}.email", found.get("email"), required=True)
    if email is not None and not is_mail_address(email):
        problems.add(f"{path}.email", f"{path}.email must be a valid email address")
        email = None
    name = problems.line(f"{path}.name", found.get("name")) or ""
    return MailAddress(email, name) if email is not None else None


def addresses(problems: Problems, path: str, value: object, *, required: bool) -> list[MailAddress]:
    given = problems.array(path, value, required=required)
    if required and isinstance(value, list) and not value:
        problems.add(path, f"{path} must have at least one address")
    found = [address(problems, f"{path}.{index}", item) for index, item in enumerate(given)]
    return [a for a in found if a is not None]


def strings(problems: Problems, path: str, value: object) -> dict[str, str]:
    """An object of string -> string (substitutions, custom_args)."""
    found = problems.mapping(path, value)
    if found is None:
        return {}
    if not all(isinstance(v, str) for v in found.values()):
        problems.add(path, f"{path} must be an object of strings")
        return {}
    if any(rules.has_illegal_characters(k) or _BODY_ILLEGAL.search(v) for k, v in found.items()):
        problems.add(path, f"{path} must not contain control characters")
        return {}
    return dict(found)


def headers(problems: Problems, path: str, value: object) -> dict[str, str]:
    """Header name -> value; names valid, values one line, none the call writes itself."""
    found = strings(problems, path, value)
    for name, text in found.items():
        problem = header_problem(name, text)
        if problem:
            words = problem.replace("headers", path, 1).replace("mail.send", "the call")
            problems.add(f"{path}.{name[:80]}", words)
            return {}
    return found


def content(problems: Problems, value: object) -> tuple[str | None, str | None]:
    """The text and html bodies of `content`: at least one, text/plain first."""
    given = problems.array("content", value, required=True)
    if isinstance(value, list) and not value:
        problems.add("content", "content must have at least one value")
    bodies: dict[str, str] = {}
    for index, item in enumerate(given):
        path = f"content.{index}"
        found = problems.mapping(path, item) if item is not None else None
        if found is None:
            if item is None:
                problems.add(path, f"{path} must be an object")
            continue
        kind, text = found.get("type"), found.get("value")
        if kind not in (TEXT, HTML):
            problems.add(f"{path}.type", f"{path}.type must be {TEXT} or {HTML}")
        elif kind in bodies:
            problems.add(f"{path}.type", f"{path}.type {kind} is given more than once")
        elif kind == TEXT and index > 0:
            problems.add(f"{path}.type", f"{path}.type {TEXT} must come first in content")
        if not isinstance(text, str) or not text:
            problems.add(f"{path}.value", f"{path}.value must be a non-empty string")
        elif _BODY_ILLEGAL.search(text):
            problems.add(f"{path}.value", f"{path}.value must not contain control characters")
        elif kind in (TEXT, HTML) and kind not in bodies:
            bodies[kind] = text
    return bodies.get(TEXT), bodies.get(HTML)


def attachments(problems: Problems, value: object) -> list[Attachment]:
    found = []
    for index, item in enumerate(problems.array("attachments", value)):
        attachment = _attachment(problems, f"attachments.{index}", item)
        if attachment is not None:
            found.append(attachment)
    return found


def _attachment(problems: Problems, path: str, value: object) -> Attachment | None:
    found = problems.mapping(path, value if value is not None else [])
    if found is None:
        return None
    before = len(problems.found)
    data = _base64(problems, f"{path}.content", found.get("content"))
    filename = problems.line(f"{path}.filename", found.get("filename"), required=True)
    media_type = problems.line(f"{path}.type", found.get("type"))
    # multipart/* and message/* are structures the message builds itself, not files.
    if media_type is not None and (
        not _MEDIA_TYPE.fullmatch(media_type)
        or media_type.lower().startswith(("multipart/", "message/"))
    ):
        problems.add(f"{path}.type", f"{path}.type must be a media type such as text/plain")
    disposition = found.get("disposition", "attachment")
    if disposition not in DISPOSITIONS:
        problems.add(f"{path}.disposition", f"{path}.disposition must be attachment or inline")
    content_id = problems.line(f"{path}.content_id", found.get("content_id"))
    if content_id is not None and not content_id.isascii():
        problems.add(f"{path}.content_id", f"{path}.content_id must be ASCII")
    if disposition == "inline" and content_id is None:
        problems.add(f"{path}.content_id", f"{path}.content_id is required for inline")
    if len(problems.found) > before or data is None or filename is None:
        return None
    inline_id = content_id if disposition == "inline" else None
    return Attachment(filename, data, inline_id, media_type)


def _base64(problems: Problems, path: str, value: object) -> bytes | None:
    if not isinstance(value, str) or not value:
        problems.add(path, f"{path} is required (the file, base64-encoded)")
        return None
    try:
        # Some clients wrap base64 in lines: white space is no part of the data.
        data = base64.b64decode("".join(value.split()).encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        problems.add(path, f"{path} must be base64")
        return None
    if len(data) > MAX_FILE_BYTES:
        problems.add(path, f"{path} must be no more than 7 MiB once decoded")
        return None
    return data
