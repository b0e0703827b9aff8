"""The kinds of value a legacy parameter takes: how one is read, with the legacy
messages (each names its parameter), and what an empty value means.

The rules themselves are domain/field_rules.py's, shared with every surface; what is
the legacy wire format's own is here: the `true`/`false`/`1`/`0` flags, `0`/`1`
bits, the `permissions` JSON object, `confirm_password`, and which kinds take an
empty value for "not given".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from gridreseller.api.legacy.params import Params
from gridreseller.domain import field_rules, rules, senders
from gridreseller.domain.field_rules import FieldLimits, FieldProblem


class ParseContext(NamedTuple):
    """What parsing needs beyond a value: the field rules' limits, and the request's
    parameters (for a kind that reads another one). (A named tuple: one is made for
    every request.)"""

    min_password_length: int
    clock: date | Callable[[], datetime]
    reserved_domains: tuple[str, ...] = ()
    params: Params = Params()

    @property
    def today(self) -> date:
        clock = self.clock
        return clock if isinstance(clock, date) else clock().date()

    @classmethod
    def reading(cls, limits: FieldLimits | ParseContext, params: Params) -> ParseContext:
        return cls(limits.min_password_length, limits.clock, limits.reserved_domains, params)


class Kind:
    """What a value must look like. Subclasses say how to read one, and what an empty
    value means (for most kinds, an error)."""

    empty_is_absent = False

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return raw

    def empty(self, name: str) -> str:
        return f"{name} must not be empty"


@dataclass(frozen=True)
class Text(Kind):
    """A string without control characters, at most `max_length` characters."""

    max_length: int | None = None
    empty_is_absent: bool = False

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.text(name, raw, self.max_length)


@dataclass(frozen=True)
class Username(Text):
    """A login's name as the caller gives it (`user`): required, no control characters."""

    def empty(self, name: str) -> str:
        return f"{name} is required"


@dataclass(frozen=True)
class Email(Text):
    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.email(name, raw, self.max_length)


@dataclass(frozen=True)
class NewUsername(Text):
    """A new login's name: what the username profile accepts (domain/usernames.py)."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.new_username(name, raw, self.max_length)


@dataclass(frozen=True)
class LoginEmail(NewUsername):
    """A new login's name in email form (setUsername), not on a reserved domain."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.login_email(name, raw, self.max_length, context.reserved_domains)


@dataclass(frozen=True)
class DomainName(Text):
    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.domain_name(name, raw, self.max_length)


@dataclass(frozen=True)
class Password(Kind):
    """A new password: the configured minimum up to 256 characters."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.password(name, raw, context.min_password_length)

    def empty(self, name: str) -> str:
        return f"{name} is required"


@dataclass(frozen=True)
class Secret(Kind):
    """A password to check, taken as given (never echoed, never validated)."""

    def empty(self, name: str) -> str:
        return f"{name} is required"


@dataclass(frozen=True)
class Confirmation(Kind):
    """Must equal another parameter's value (`confirm_password`)."""

    of: str = "password"

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.confirmation(name, raw, self.of, context.params.get(self.of))

    def empty(self, name: str) -> str:
        return f"{name} is required"


@dataclass(frozen=True)
class Flag(Kind):
    """`true`/`false`/`1`/`0` in any case."""

    message: str = "must be true or false"
    empty_is_absent: bool = False

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        parsed = rules.parse_bool(raw)
        if parsed is None:
            raise FieldProblem(f"{name} {self.message}")
        return parsed

    def empty(self, name: str) -> str:
        return f"{name} {self.message}"


@dataclass(frozen=True)
class Bit(Kind):
    """`0` or `1`."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        if raw not in ("0", "1"):
            raise FieldProblem(f"{name} must be 0 or 1")
        return int(raw)

    def empty(self, name: str) -> str:
        return f"{name} must be 0 or 1"


@dataclass(frozen=True)
class Count(Kind):
    """A non-negative integer (up to 18 digits); empty means not given."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.count(name, raw)


@dataclass(frozen=True)
class BillingDate(Kind):
    """YYYY-mm-dd from today (UTC) up to the same day of next month; empty: none."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.billing_date(name, raw, context.today)


@dataclass(frozen=True)
class PositiveCount(Kind):
    """An integer of at least 1 (up to 18 digits); empty means not given."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.positive_count(name, raw)


@dataclass(frozen=True)
class Day(Kind):
    """A date, YYYY-mm-dd; empty means not given."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.day(name, raw)


@dataclass(frozen=True)
class Choice(Kind):
    """One of a few words."""

    options: tuple[str, ...] = ()

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.choice(name, raw, self.options)

    def empty(self, name: str) -> str:
        return field_rules.choice_message(name, self.options)


@dataclass(frozen=True)
class IpAddress(Kind):
    """An IPv4 or IPv6 address, kept in canonical form."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.ip_address(name, raw)


@dataclass(frozen=True)
class CredentialName(Kind):
    """1-64 of letters, digits and `_ . - @ +`."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return field_rules.credential_name(name, raw)

    def empty(self, name: str) -> str:
        return f"{name} is required"


@dataclass(frozen=True)
class PermissionsJson(Kind):
    """A JSON object with keys among email, web, api and values 0 or 1."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            raise FieldProblem(f"{name} must be a JSON object") from None
        if not isinstance(parsed, dict):
            raise FieldProblem(f"{name} must be a JSON object")
        if any(key not in rules.PERMISSION_KEYS for key in parsed):
            raise FieldProblem(f"{name} may only have the keys email, web and api")
        for key, value in parsed.items():
            if isinstance(value, bool) or value not in (0, 1):
                raise FieldProblem(f"{name} {key} must be 0 or 1")
        return {key: int(value) for key, value in parsed.items()}


@dataclass(frozen=True)
class SenderDomain(Kind):
    """A `sender_domains[]` value, in comparison form (domain/senders.py); an empty
    value is no entry (one empty `sender_domains[]` is how a list is emptied)."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        return senders.sender_domain_value(name, raw)
