"""mail.send's `x-smtpapi` parameter (docs/api.md): the legacy SMTP API header as JSON.

`to` makes one copy per recipient; `sub` replaces tags per recipient, `section`
inserts shared text by tag (and `sub` is applied again inside it); `category` and
`unique_args` are recorded with the sent message. Other keys (`filters`, `asm_group_id`,
`send_at`, ...) are accepted and ignored: gridreseller has no tracking or scheduling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gridreseller.messages.addresses import MailAddress, parse_mailbox

NAME = "x-smtpapi"
MAX_RECIPIENTS = 1000
MAX_CATEGORIES = 10


class SmtpApiProblem(ValueError):
    """What is wrong with `x-smtpapi`; the message names it."""


@dataclass(frozen=True)
class SmtpApi:
    to: tuple[MailAddress, ...] = ()
    sub: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    section: Mapping[str, str] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    unique_args: Mapping[str, str] = field(default_factory=dict)

    def substitutions(self, copy: int) -> dict[str, str]:
        """Tag -> value for the copy at this index (each list's only value when the
        call has one copy and x-smtpapi no `to`)."""
        return {tag: values[copy if len(values) > 1 else 0] for tag, values in self.sub.items()}

    def personalize(self, text: str, copy: int) -> str:
        """`sub`, then `section` with `sub` applied inside the inserted text."""
        subs = self.substitutions(copy)
        text = replace_tags(text, subs)
        sections = {tag: replace_tags(body, subs) for tag, body in self.section.items()}
        return replace_tags(text, sections)


def replace_tags(text: str, values: Mapping[str, str]) -> str:
    """Every tag replaced in one pass (a longer tag wins over its prefix)."""
    if not values or not text:
        return text
    tags = sorted(values, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(tag) for tag in tags))
    return pattern.sub(lambda found: values[found.group(0)], text)


def parse_smtpapi(raw: str) -> SmtpApi:
    """The parameter's value, or SmtpApiProblem."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        raise SmtpApiProblem(f"{NAME} must be a JSON object") from None
    if not isinstance(document, dict):
        raise SmtpApiProblem(f"{NAME} must be a JSON object")
    to = _recipients(document.get("to"))
    sub = _substitutions(document.get("sub"), len(to))
    return SmtpApi(
        to=to,
        sub=sub,
        section=_strings(document.get("section"), "section"),
        categories=_categories(document.get("category")),
        unique_args=_strings(document.get("unique_args"), "unique_args"),
    )


def _recipients(value: Any) -> tuple[MailAddress, ...]:
    if value is None:
        return ()
    problem = SmtpApiProblem(
        f"{NAME} to must be a list of at most {MAX_RECIPIENTS} valid email addresses"
    )
    if not isinstance(value, list) or len(value) > MAX_RECIPIENTS:
        raise problem
    found = [parse_mailbox(item) if isinstance(item, str) else None for item in value]
    addresses = [address for address in found if address is not None]
    if len(addresses) != len(found):
        raise problem
    return tuple(addresses)


def _substitutions(value: Any, recipients: int) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SmtpApiProblem(f"{NAME} sub must be an object of tag -> list of values")
    wanted = recipients or 1
    sub: dict[str, tuple[str, ...]] = {}
    for tag, values in value.items():
        if not tag or not isinstance(values, list) or not all(_scalar(v) for v in values):
            raise SmtpApiProblem(f"{NAME} sub must be an object of tag -> list of values")
        if len(values) != wanted:
            raise SmtpApiProblem(
                f"{NAME} sub {tag} must have {wanted} values, one per recipient in to"
            )
        sub[tag] = tuple(_text(v) for v in values)
    return sub


def _strings(value: Any, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(_scalar(v) for v in value.values()):
        raise SmtpApiProblem(f"{NAME} {key} must be an object of strings")
    return {name: _text(v) for name, v in value.items() if name}


def _categories(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    listed = [value] if isinstance(value, str) else value
    if (
        not isinstance(listed, list)
        or len(listed) > MAX_CATEGORIES
        or not all(isinstance(item, str) and item for item in listed)
    ):
        raise SmtpApiProblem(
            f"{NAME} category must be a string or a list of at most {MAX_CATEGORIES} strings"
        )
    return tuple(dict.fromkeys(listed))


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _text(value: str | int | float) -> str:
    return value if isinstance(value, str) else json.dumps(value)
