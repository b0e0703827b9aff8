"""distributor.manage method=profile task=setSenderDomains's parameters
(services/senders.py; the rule: domain/senders.py)."""

from __future__ import annotations

from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import ParseContext, SenderDomain
from gridreseller.api.legacy.operations import Operation
from gridreseller.api.legacy.params import Params
from gridreseller.api.legacy.shared import user_field
from gridreseller.domain import senders
from gridreseller.domain.errors import Problem
from gridreseller.services.senders import (
    PARAMETER,
    TOO_MANY,
    SetSenderDomains,
    set_sender_domains,
)


def _given(params: Params, _context: ParseContext) -> Problem | None:
    """The whole list is sent every time; sending none at all is a mistake, not "any"."""
    if PARAMETER in params.arrays or params.get(PARAMETER) is not None:
        return None
    return Problem(
        PARAMETER,
        f"{PARAMETER}[] is required (one empty {PARAMETER}[] allows any sender)",
    )


def _not_too_many(params: Params, _context: ParseContext) -> Problem | None:
    if len(_entries(params.many(PARAMETER))) <= senders.MAX_SENDER_DOMAINS:
        return None
    return Problem(PARAMETER, TOO_MANY)


def _entries(values: list[str]) -> set[str]:
    """The distinct valid entries among `values` (the invalid ones are reported apart)."""
    found: set[str] = set()
    for value in values:
        try:
            found.add(senders.sender_domain_entry(value))
        except senders.SenderDomainProblem:
            continue
    return found


SET_SENDER_DOMAINS = Declaration(
    SetSenderDomains,
    (
        user_field(),
        Field(
            PARAMETER,
            SenderDomain(),
            repeatable=True,
            description=(
                "The whole list, one entry per value: `example.com` (that domain) or "
                "`*.example.com` (any name below it). One empty value: any sender."
            ),
            example="example.com",
            default=[],
        ),
    ),
    checks=(_given, _not_too_many),
)


SET = Operation(
    "Set the allowed sender domains (the whole list; empty: any sender).",
    SET_SENDER_DOMAINS,
    set_sender_domains,
)
