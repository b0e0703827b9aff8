"""The validation rules, as pure functions over strings."""

from __future__ import annotations

import calendar
import ipaddress
import re
from collections.abc import Mapping
from datetime import date

from email_validator import EmailNotValidError, validate_email

from gridreseller.domain import usernames

# Control characters (docs/api.md, distributor.add) plus what XML 1.0 cannot carry at all
# (surrogates,
# U+FFFE, U+FFFF), so every stored value renders as well-formed XML.
ILLEGAL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CREDENTIAL_NAME = re.compile(r"[A-Za-z0-9_.\-@+]{1,64}")
_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Profile fields and their maximum lengths (docs/api.md, distributor.add); all required at creation.
PROFILE_LIMITS: Mapping[str, int] = {
    "first_name": 50,
    "last_name": 50,
    "address": 100,
    "city": 100,
    "state": 100,
    "zip": 50,
    "country": 100,
    "phone": 50,
    "website": 255,
    "company": 255,
}
MAX_PASSWORD_LENGTH = 256
PERMISSION_KEYS = ("email", "web", "api")


def username_key(username: str) -> str:
    """The form in which usernames are compared and kept unique (see domain/usernames.py)."""
    return usernames.username_key(username)


def has_illegal_characters(value: str) -> bool:
    return ILLEGAL.search(value) is not None


def is_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def email_domain(value: str) -> str:
    return value.rsplit("@", 1)[-1].lower()


def is_reserved_domain(domain: str, reserved: tuple[str, ...]) -> bool:
    domain = domain.rstrip(".").lower()
    return any(domain == r or domain.endswith("." + r) for r in reserved)


def is_domain_name(value: str) -> bool:
    """A DNS name of two or more labels (internationalized names allowed)."""
    try:
        ascii_name = value.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_name.split(".")
    return (
        len(ascii_name) <= 253
        and len(labels) >= 2
        and all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def canonical_ip(value: str) -> str:
    return str(ipaddress.ip_address(value))


def parse_bool(value: str) -> bool | None:
    """`true`/`false`/`1`/`0` (any case); None for anything else."""
    return {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())


def add_one_month(day: date) -> date:
    """The same day of next month, clamped to that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def parse_date(raw: str) -> date | None:
    if not _DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def is_credential_name(value: str) -> bool:
    return _CREDENTIAL_NAME.fullmatch(value) is not None
