"""What a value must look like, whatever surface it came in by: the rules every form
and call shares (lengths, patterns, what a username, an email address, a domain name,
a password or a billing date is).

Each rule takes the field's name as its surface calls it and returns the value it
accepts (in the form it is kept), or raises `FieldProblem` with a message that names
the field. The legacy API declares its parameters with these rules
(api/legacy/kinds.py); the dashboard and the command line call them with their own
field names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from gridreseller.domain import rules, usernames


class FieldProblem(Exception):
    """One field's value is not acceptable; the message names the field."""


class FieldLimits(NamedTuple):
    """What the rules need beyond the value: settings and today's date (UTC). `clock`
    is a date, or the clock to read it from when a rule asks (most calls never do)."""

    min_password_length: int
    clock: date | Callable[[], datetime]
    reserved_domains: tuple[str, ...] = ()

    @property
    def today(self) -> date:
        clock = self.clock
        return clock if isinstance(clock, date) else clock().date()


def text(name: str, raw: str, max_length: int | None = None) -> str:
    """A string without control characters, at most `max_length` characters."""
    if rules.has_illegal_characters(raw):
        raise FieldProblem(f"{name} must not contain control characters")
    if max_length is not None and len(raw) > max_length:
        raise FieldProblem(f"{name} must be no more than {max_length} characters")
    return raw


def email(name: str, raw: str, max_length: int | None = None) -> str:
    value = text(name, raw, max_length)
    if not rules.is_email(value):
        raise FieldProblem(f"{name} must be a valid email address")
    return value


def new_username(name: str, raw: str, max_length: int | None = None) -> str:
    """A new login's name: what the username profile accepts (domain/usernames.py)."""
    value = text(name, raw, max_length)
    problem = usernames.username_problem(name, value)
    if problem:
        raise FieldProblem(problem)
    return value


def login_email(
    name: str, raw: str, max_length: int | None, reserved_domains: tuple[str, ...]
) -> str:
    """A new login's name in email form, not on a reserved domain. The profile's
    finding comes first: it says more than "not an email address"."""
    value = new_username(name, raw, max_length)
    if not rules.is_email(value):
        raise FieldProblem(f"{name} must be a valid email address")
    # Judged on the comparison key, so that no spelling of a reserved domain passes.
    domain = rules.email_domain(usernames.username_key(value))
    if rules.is_reserved_domain(domain, reserved_domains):
        raise FieldProblem(f"{name} must not use a reserved domain")
    return value


def domain_name(name: str, raw: str, max_length: int | None = None) -> str:
    value = text(name, raw, max_length)
    if not rules.is_domain_name(value):
        raise FieldProblem(f"{name} must be a domain name")
    return value


def password(name: str, raw: str, min_length: int) -> str:
    """A new password: the configured minimum up to 256 characters."""
    if rules.has_illegal_characters(raw):
        raise FieldProblem(f"{name} must not contain control characters")
    if len(raw) < min_length:
        raise FieldProblem(f"{name} must be at least {min_length} characters")
    if len(raw) > rules.MAX_PASSWORD_LENGTH:
        raise FieldProblem(f"{name} must be no more than {rules.MAX_PASSWORD_LENGTH} characters")
    return raw


def confirmation(name: str, raw: str, of: str, expected: str | None) -> str:
    """Must equal the value of the field `of` (`confirm_password` of `password`)."""
    if raw != expected:
        raise FieldProblem(f"{name} must match {of}")
    return raw


def count(name: str, raw: str) -> int:
    """A non-negative integer (up to 18 digits)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise FieldProblem(f"{name} must be a non-negative integer")
    return int(raw)


def positive_count(name: str, raw: str) -> int:
    """An integer of at least 1 (up to 18 digits)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
        raise FieldProblem(f"{name} must be a positive integer")
    return int(raw)


def day(name: str, raw: str) -> date:
    """A date, YYYY-mm-dd."""
    parsed = rules.parse_date(raw)
    if parsed is None:
        raise FieldProblem(f"{name} must be a date in YYYY-mm-dd format")
    return parsed


def billing_date(name: str, raw: str, today: date) -> date:
    """YYYY-mm-dd from today (UTC) up to the same day of next month (docs/api.md)."""
    parsed = day(name, raw)
    latest = rules.add_one_month(today)
    if not today <= parsed <= latest:
        raise FieldProblem(f"{name} must be between {today.isoformat()} and {latest.isoformat()}")
    return parsed


def choice(name: str, raw: str, options: tuple[str, ...]) -> str:
    """One of a few words."""
    if raw not in options:
        raise FieldProblem(choice_message(name, options))
    return raw


def choice_message(name: str, options: tuple[str, ...]) -> str:
    return f"{name} must be one of {', '.join(options)}"


def ip_address(name: str, raw: str) -> str:
    """An IPv4 or IPv6 address, in canonical form."""
    if not rules.is_ip_address(raw):
        raise FieldProblem(f"{name} must be a valid IP address: {raw!r}"[:300])
    return rules.canonical_ip(raw)


def credential_name(name: str, raw: str) -> str:
    """1-64 of letters, digits and `_ . - @ +` (docs/api.md, credentials)."""
    if not rules.is_credential_name(raw):
        raise FieldProblem(f"{name} must be 1 to 64 letters, digits or _ . - @ +")
    return raw
