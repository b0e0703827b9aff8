"""The shared field rules as functions (name, raw value, limits) -> value, over today's
kinds of domain/fields.py; replaced by domain/field_rules.py when it lands."""

from __future__ import annotations

from datetime import date

from gridreseller.domain import fields
from gridreseller.domain.fields import FieldProblem, ParseContext
from gridreseller.domain.senders import SenderDomain

FieldLimits = ParseContext
__all__ = ["FieldLimits", "FieldProblem"]

_ANY = FieldLimits(0, date.min)


def text(name: str, raw: str, max_length: int | None = None) -> str:
    return str(fields.Text(max_length).parse(name, raw, _ANY))


def email(name: str, raw: str, max_length: int | None = None) -> str:
    return str(fields.Email(max_length).parse(name, raw, _ANY))


def new_username(name: str, raw: str, max_length: int | None = None) -> str:
    return str(fields.NewUsername(max_length).parse(name, raw, _ANY))


def login_email(
    name: str, raw: str, max_length: int | None, reserved_domains: tuple[str, ...]
) -> str:
    limits = FieldLimits(0, date.min, reserved_domains)
    return str(fields.LoginEmail(max_length).parse(name, raw, limits))


def domain_name(name: str, raw: str, max_length: int | None = None) -> str:
    return str(fields.DomainName(max_length).parse(name, raw, _ANY))


def password(name: str, raw: str, min_length: int) -> str:
    return str(fields.Password().parse(name, raw, FieldLimits(min_length, date.min)))


def count(name: str, raw: str) -> int:
    return int(fields.Count().parse(name, raw, _ANY))


def positive_count(name: str, raw: str) -> int:
    return int(fields.PositiveCount().parse(name, raw, _ANY))


def day(name: str, raw: str) -> date:
    parsed: date = fields.Day().parse(name, raw, _ANY)
    return parsed


def billing_date(name: str, raw: str, today: date) -> date:
    parsed: date = fields.BillingDate().parse(name, raw, FieldLimits(0, today))
    return parsed


def choice(name: str, raw: str, options: tuple[str, ...]) -> str:
    return str(fields.Choice(options).parse(name, raw, _ANY))


def choice_message(name: str, options: tuple[str, ...]) -> str:
    return f"{name} must be one of {', '.join(options)}"


def ip_address(name: str, raw: str) -> str:
    return str(fields.IpAddress().parse(name, raw, _ANY))


def credential_name(name: str, raw: str) -> str:
    return str(fields.CredentialName().parse(name, raw, _ANY))


def sender_domain_value(name: str, raw: str) -> str:
    """(domain/senders.py's, when it lands.)"""
    return str(SenderDomain().parse(name, raw, _ANY))
