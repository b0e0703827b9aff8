"""The contract's validation rules, as pure functions over strings."""

from __future__ import annotations

import calendar
import ipaddress
import json
import re
from collections.abc import Mapping
from datetime import date

from email_validator import EmailNotValidError, validate_email

from gridreseller.domain import usernames
from gridreseller.domain.errors import Invalid
from gridreseller.domain.models import Permissions

# Control characters (§4) plus what XML 1.0 cannot carry at all (surrogates,
# U+FFFE, U+FFFF), so every stored value renders as well-formed XML.
ILLEGAL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CREDENTIAL_NAME = re.compile(r"[A-Za-z0-9_.\-@+]{1,64}")
_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Profile fields and their maximum lengths (§4); all required at creation.
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


class ErrorList:
    """Collects every error of a request so they are reported together."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_if_any(self) -> None:
        if self.messages:
            raise Invalid(list(self.messages))


def username_key(username: str) -> str:
    """The form in which usernames are compared and kept unique (see domain/usernames.py)."""
    return usernames.username_key(username)


def username(
    errors: ErrorList, params: Mapping[str, str], name: str, max_length: int
) -> str | None:
    """A new username: a text parameter the username profile accepts."""
    return _profiled(errors, name, text(errors, params, name, max_length))


def email_username(
    errors: ErrorList, params: Mapping[str, str], name: str, max_length: int
) -> str | None:
    """A new username that the username profile accepts, in email format (the
    profile's finding first: it says more than "not an email address")."""
    return _email_format(errors, name, username(errors, params, name, max_length))


def _profiled(errors: ErrorList, name: str, value: str | None) -> str | None:
    problem = usernames.username_problem(name, value) if value is not None else None
    if problem:
        errors.add(problem)
        return None
    return value


def text(
    errors: ErrorList,
    params: Mapping[str, str],
    name: str,
    max_length: int,
    *,
    required: bool = True,
) -> str | None:
    """A string parameter checked for presence, length and control characters."""
    value = params.get(name)
    if value is None or value == "":
        if required or value == "":
            errors.add(f"{name} is required" if value is None else f"{name} must not be empty")
        return None
    problem = text_problem(name, value, max_length)
    if problem:
        errors.add(problem)
        return None
    return value


def text_problem(name: str, value: str, max_length: int) -> str | None:
    if ILLEGAL.search(value):
        return f"{name} must not contain control characters"
    if len(value) > max_length:
        return f"{name} must be no more than {max_length} characters"
    return None


def has_illegal_characters(value: str) -> bool:
    return ILLEGAL.search(value) is not None


def email(errors: ErrorList, params: Mapping[str, str], name: str, max_length: int) -> str | None:
    return _email_format(errors, name, text(errors, params, name, max_length))


def _email_format(errors: ErrorList, name: str, value: str | None) -> str | None:
    if value is not None and not is_email(value):
        errors.add(f"{name} must be a valid email address")
        return None
    return value


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


def password(
    errors: ErrorList,
    params: Mapping[str, str],
    min_length: int,
    *,
    confirm: bool,
    name: str = "password",
) -> str | None:
    """A new password (and its confirmation when the call takes one)."""
    value = params.get(name)
    ok = value is not None and value != ""
    if not ok:
        errors.add(f"{name} is required")
    elif ILLEGAL.search(value or ""):
        errors.add(f"{name} must not contain control characters")
        ok = False
    elif len(value or "") < min_length:
        errors.add(f"{name} must be at least {min_length} characters")
        ok = False
    elif len(value or "") > MAX_PASSWORD_LENGTH:
        errors.add(f"{name} must be no more than {MAX_PASSWORD_LENGTH} characters")
        ok = False
    if confirm:
        confirmation = params.get("confirm_password")
        if confirmation is None or confirmation == "":
            errors.add("confirm_password is required")
            ok = False
        elif confirmation != value:
            errors.add("confirm_password must match password")
            ok = False
    return value if ok else None


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


def boolean(errors: ErrorList, params: Mapping[str, str], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None:
        return default
    parsed = parse_bool(raw)
    if parsed is None:
        errors.add(f"{name} must be true or false")
        return default
    return parsed


def add_one_month(day: date) -> date:
    """The same day of next month, clamped to that month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def billing_date(errors: ErrorList, params: Mapping[str, str], today: date) -> date | None:
    """§4: YYYY-mm-dd from today up to the same day of next month."""
    raw = params.get("billing_date")
    if raw is None or raw == "":
        return None
    parsed = parse_date(raw)
    if parsed is None:
        errors.add("billing_date must be a date in YYYY-mm-dd format")
        return None
    latest = add_one_month(today)
    if not today <= parsed <= latest:
        errors.add(f"billing_date must be between {today.isoformat()} and {latest.isoformat()}")
        return None
    return parsed


def parse_date(raw: str) -> date | None:
    if not _DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def is_credential_name(value: str) -> bool:
    return _CREDENTIAL_NAME.fullmatch(value) is not None


def parse_permissions(errors: ErrorList, raw: str | None) -> dict[str, int]:
    """The `permissions` JSON object: keys among email/web/api, values 0 or 1."""
    if raw is None or raw == "":
        return {}
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        errors.add("permissions must be a JSON object")
        return {}
    if not isinstance(parsed, dict):
        errors.add("permissions must be a JSON object")
        return {}
    bits: dict[str, int] = {}
    for key, value in parsed.items():
        if key not in PERMISSION_KEYS:
            errors.add("permissions may only have the keys email, web and api")
            return {}
        if isinstance(value, bool) or value not in (0, 1):
            errors.add(f"permissions {key} must be 0 or 1")
            continue
        bits[key] = int(value)
    return bits


def permission_bits(errors: ErrorList, params: Mapping[str, str]) -> dict[str, int]:
    """Bits from `permissions`, overridden by separate email/web/api parameters."""
    bits = parse_permissions(errors, params.get("permissions"))
    for key in PERMISSION_KEYS:
        raw = params.get(key)
        if raw is None:
            continue
        if raw not in ("0", "1"):
            errors.add(f"{key} must be 0 or 1")
            continue
        bits[key] = int(raw)
    return bits


def apply_bits(current: Permissions, bits: Mapping[str, int]) -> Permissions:
    return Permissions(
        email=bits.get("email", current.email),
        web=bits.get("web", current.web),
        api=bits.get("api", current.api),
    )


def non_negative_int(errors: ErrorList, params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        errors.add(f"{name} must be a non-negative integer")
        return None
    return int(raw)
