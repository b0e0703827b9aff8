"""The contract's rules: pure functions and declared fields, without a database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gridreseller.api.legacy.credentials import EDIT_CREDENTIAL
from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import (
    BillingDate,
    Confirmation,
    ParseContext,
    Password,
    PermissionsJson,
    Text,
)
from gridreseller.api.legacy.params import Params
from gridreseller.domain import rules
from gridreseller.domain.models import Permissions
from gridreseller.services.credentials import permissions_with


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (date(2011, 1, 31), date(2011, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
        (date(2023, 1, 29), date(2023, 2, 28)),
        (date(2011, 2, 28), date(2011, 3, 28)),  # the seed's own example
        (date(2025, 12, 15), date(2026, 1, 15)),  # December rolls the year
        (date(2025, 12, 31), date(2026, 1, 31)),
        (date(2024, 3, 31), date(2024, 4, 30)),
        (date(2024, 8, 31), date(2024, 9, 30)),
    ],
)
def test_add_one_month_clamps_to_month_end(today: date, latest: date) -> None:
    assert rules.add_one_month(today) == latest


def read(field: Field, today: date = date(2025, 1, 1), **params: str) -> tuple[Any, list[str]]:
    """One declared field read from `params`: its value and the problems' messages."""
    declaration: Declaration[dict[str, Any]] = Declaration(dict, (field,))
    values, problems = declaration.read(Params(values=params), ParseContext(6, today))
    return values[field.attribute], [problem.message for problem in problems]


def _billing(raw: str, today: date) -> tuple[date | None, list[str]]:
    value, messages = read(Field("billing_date", BillingDate()), today, billing_date=raw)
    return value, messages


@pytest.mark.parametrize(
    ("raw", "today", "ok"),
    [
        ("2011-01-31", date(2011, 1, 31), True),
        ("2011-02-28", date(2011, 1, 31), True),
        ("2011-03-01", date(2011, 1, 31), False),
        ("2011-01-30", date(2011, 1, 31), False),
        ("2024-02-29", date(2024, 1, 31), True),
        ("2026-01-15", date(2025, 12, 15), True),
        ("2026-01-16", date(2025, 12, 15), False),
        ("2025-02-29", date(2025, 2, 1), False),  # not a date
        ("2025-2-01", date(2025, 2, 1), False),
        ("01/02/2025", date(2025, 2, 1), False),
        ("2025-02-01T00:00", date(2025, 2, 1), False),
    ],
)
def test_billing_date_window(raw: str, today: date, ok: bool) -> None:
    parsed, messages = _billing(raw, today)
    assert (parsed is not None) is ok
    assert bool(messages) is not ok
    assert all(m.startswith("billing_date ") for m in messages)


def test_billing_date_is_optional() -> None:
    assert _billing("", date(2025, 1, 1)) == (None, [])


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("user@example.com", True),
        ("first.last+tag@sub.example.co.uk", True),
        ("josé@例え.jp", True),
        ("no-at-sign", False),
        ("two@@example.com", False),
        ("user@", False),
        ("@example.com", False),
        ("user@localhost", False),
        ("user@exa mple.com", False),
    ],
)
def test_email_format(value: str, ok: bool) -> None:
    assert rules.is_email(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("mail.example.com", True),
        ("example.com", True),
        ("bücher.example", True),
        ("localhost", False),
        ("-bad.example.com", False),
        ("bad-.example.com", False),
        ("exa_mple.com", False),
        ("1.2.3.4", False),
        ("a" * 64 + ".com", False),
    ],
)
def test_domain_names(value: str, ok: bool) -> None:
    assert rules.is_domain_name(value) is ok


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\t", "\n", "\ufffe"])
def test_control_characters_are_rejected(char: str) -> None:
    value, messages = read(Field("city", Text(100), True), city=f"a{char}b")
    assert value is None
    assert messages == ["city must not contain control characters"]


def test_text_limits_and_presence() -> None:
    zip_field, city = Field("zip", Text(50), True), Field("city", Text(100), True)
    assert read(zip_field, zip="x" * 50) == ("x" * 50, [])
    assert read(zip_field, zip="x" * 51) == (None, ["zip must be no more than 50 characters"])
    assert read(city) == (None, ["city is required"])
    assert read(city, city="") == (None, ["city must not be empty"])


def test_password_rules() -> None:
    password = Field("password", Password(), True)
    confirm = Field("confirm_password", Confirmation("password"), True)
    assert read(password, password="12345")[1] == ["password must be at least 6 characters"]
    too_long = ["password must be no more than 256 characters"]
    assert read(password, password="x" * 257)[1] == too_long
    unequal = read(confirm, password="123456", confirm_password="1234567")
    assert unequal == (None, ["confirm_password must match password"])
    assert read(confirm, password="123456", confirm_password="123456") == ("123456", [])


@pytest.mark.parametrize(
    ("raw", "bits", "message"),
    [
        ('{"email": 1, "web": 0}', {"email": 1, "web": 0}, None),
        ("{}", {}, None),
        ('{"api": 2}', {}, "permissions api must be 0 or 1"),
        ('{"api": true}', {}, "permissions api must be 0 or 1"),
        ('{"api": "1"}', {}, "permissions api must be 0 or 1"),
        ('{"smtp": 1}', {}, "permissions may only have the keys email, web and api"),
        ("[1, 0]", {}, "permissions must be a JSON object"),
        ("not json", {}, "permissions must be a JSON object"),
    ],
)
def test_parse_permissions(raw: str, bits: dict[str, int], message: str | None) -> None:
    value, messages = read(Field("permissions", PermissionsJson(), default={}), permissions=raw)
    assert value == bits
    assert messages == ([message] if message else [])


def test_separate_bits_win_over_permissions() -> None:
    params = Params.of(username="c", permissions='{"api": 1, "web": 1}', api="0")
    edit = EDIT_CREDENTIAL.parse(params, ParseContext(6, date(2025, 1, 1)))
    assert edit.bits == {"api": 0, "web": 1}
    updated = permissions_with(Permissions(email=1), edit.bits)
    assert updated == Permissions(email=1, web=1, api=0)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("john_smith", True),
        ("a.b-c@d+e", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("", False),
        ("has space", False),
        ("bang!", False),
        ("ünï", False),
    ],
)
def test_credential_names(name: str, ok: bool) -> None:
    assert rules.is_credential_name(name) is ok


@pytest.mark.parametrize(
    ("domain", "reserved"),
    [
        ("sendgrid.com", True),
        ("mail.SendGrid.com", True),
        ("sendgrid.com.", True),
        ("notsendgrid.com", False),
        ("sendgrid.co", False),
    ],
)
def test_reserved_domains(domain: str, reserved: bool) -> None:
    assert rules.is_reserved_domain(domain, ("sendgrid.com",)) is reserved


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("false", False),
        ("0", False),
        ("yes", None),
        ("", None),
    ],
)
def test_parse_bool(raw: str, value: bool | None) -> None:
    assert rules.parse_bool(raw) is value


def test_problems_come_in_the_declarations_order_whatever_the_requests() -> None:
    declaration: Declaration[dict[str, Any]] = Declaration(
        dict,
        (
            Field("first", Text(max_length=2)),
            Field("needed", Text(), required=True),
            Field("last", Text(max_length=2)),
        ),
    )
    params = Params(values={"last": "long", "first": "long"})
    values, problems = declaration.read(params, ParseContext(6, date(2025, 1, 1)))
    assert [problem.field for problem in problems] == ["first", "needed", "last"]
    assert list(values) == ["first", "needed", "last"]
