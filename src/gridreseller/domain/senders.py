"""Sender binding: which sender addresses a customer may use (docs/decisions.md,
"Sender domains").

An entry is a domain name (`example.com`: that domain exactly) or a wildcard
(`*.example.com`: any name below it, not the domain itself). Entries and addresses
are compared in one form: IDNA (ASCII) and lower case, without a trailing dot. An
empty list allows any sender.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from gridreseller.domain import rules
from gridreseller.domain.field_rules import FieldProblem

MAX_SENDER_DOMAINS = 50
WILDCARD = "*."
# How a list is kept in one column and shown in a customer's listed row.
SEPARATOR = ","


class SenderDomainProblem(ValueError):
    """An entry is not a domain name nor a wildcard over one."""


def normalise_domain(name: str) -> str | None:
    """The comparison form of a domain name (ASCII, lower case, no trailing dot), or
    None when it is not one."""
    if not name or not rules.is_domain_name(name):
        return None
    return name.rstrip(".").encode("idna").decode("ascii").lower()


def sender_domain_entry(raw: str) -> str:
    """One list entry in comparison form; SenderDomainProblem when it is not valid."""
    value = raw.strip()
    wildcard = value.startswith(WILDCARD)
    domain = normalise_domain(value[len(WILDCARD) :] if wildcard else value)
    if domain is None:
        raise SenderDomainProblem("must be a domain name or *. followed by one")
    return WILDCARD + domain if wildcard else domain


def sender_domain_value(name: str, raw: str) -> str:
    """A `sender_domains` value as a form gives it, in comparison form; an empty value
    is no entry ("" : one empty value is how a list is emptied)."""
    if not raw.strip():
        return ""
    if rules.has_illegal_characters(raw) or len(raw) > 255:
        raise FieldProblem(f"{name} must be a domain name or *. followed by one")
    try:
        return sender_domain_entry(raw)
    except SenderDomainProblem as problem:
        raise FieldProblem(f"{name} {problem}: {raw.strip()!r}") from None


def joined(entries: Iterable[str]) -> str:
    """A list as stored: entries in comparison form, each once, in the order given."""
    return SEPARATOR.join(dict.fromkeys(entries))


class AllowedSenders(NamedTuple):
    """A customer's list, as stored (entries in comparison form)."""

    entries: tuple[str, ...]

    @classmethod
    def stored(cls, value: str | None) -> AllowedSenders:
        return cls(tuple(entry for entry in (value or "").split(SEPARATOR) if entry))

    @property
    def any(self) -> bool:
        return not self.entries

    def allows(self, address: str) -> bool:
        """Whether `address` (local@domain) may be the sender. An address with no domain,
        or one that is no domain name (an address literal), matches no entry."""
        if self.any:
            return True
        domain = normalise_domain(address.rpartition("@")[2]) if "@" in address else None
        if domain is None:
            return False
        for entry in self.entries:
            if entry.startswith(WILDCARD):
                if domain.endswith(entry[1:]):  # ".example.com": below it, not itself
                    return True
            elif domain == entry:
                return True
        return False
