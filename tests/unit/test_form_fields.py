"""The dashboard's form reader (web/form_fields.py): what an absent, an empty and a bad
field each get, in the form's own field names, every problem of a form together."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from gridreseller.domain import field_rules
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.field_rules import FieldLimits
from gridreseller.web.form_fields import FormReader, is_required, new_password
from gridreseller.web.forms import Form

LIMITS = FieldLimits(8, date(2026, 1, 31))


def reader_of(*pairs: tuple[str, str]) -> FormReader:
    return FormReader(Form(pairs), LIMITS)


def test_a_missing_required_field_is_required_and_an_empty_one_is_told_its_own_way() -> None:
    reader = reader_of(("company", ""), ("user", ""))
    text = partial(field_rules.text, max_length=5)
    assert reader.value("first_name", text, required=True) is None
    assert reader.value("company", text, required=True) is None
    assert reader.value("user", text, required=True, empty=is_required) is None
    assert reader.problems == [
        Problem("first_name", "first_name is required"),
        Problem("company", "company must not be empty"),
        Problem("user", "user is required"),
    ]


def test_an_empty_field_that_may_be_left_out_takes_its_default() -> None:
    reader = reader_of(("credits", ""), ("page", "3"))
    assert reader.value("credits", field_rules.count, empty=None, default=0) == 0
    assert reader.value("page", field_rules.positive_count, empty=None, default=1) == 3
    assert reader.value("search", field_rules.text, empty=None) is None
    assert reader.problems == []


def test_a_bad_value_names_the_field_as_the_form_sends_it() -> None:
    reader = reader_of(("zip", "x" * 51), ("credits", "-1"))
    assert reader.value("zip", partial(field_rules.text, max_length=50), required=True) is None
    assert reader.value("credits", field_rules.count, empty=None, default=0) == 0
    with pytest.raises(Invalid) as refused:
        reader.check()
    assert refused.value.errors == [
        "zip must be no more than 50 characters",
        "credits must be a non-negative integer",
    ]


def test_repeated_values_are_read_once_each_and_each_bad_one_is_told() -> None:
    reader = reader_of(("ip[]", "10.0.0.1"), ("ip[]", "nope"), ("ip[]", "10.0.0.1"), ("ip", "x"))
    assert reader.repeated("ip", field_rules.ip_address) == ["10.0.0.1"]
    assert reader.problems == [Problem("ip", "ip[] must be a valid IP address: 'nope'")]


@pytest.mark.parametrize(
    ("sent", "expected", "problems"),
    [
        ((("free_user", "TRUE"),), True, []),
        ((("free_user", "0"),), False, []),
        ((), False, []),
        ((("free_user", ""),), False, ["free_user must be true or false"]),
        ((("free_user", "yes"),), False, ["free_user must be true or false"]),
    ],
)
def test_a_checkbox(sent: tuple[tuple[str, str], ...], expected: bool, problems: list[str]) -> None:
    reader = reader_of(*sent)
    assert reader.flag("free_user", default=False) is expected
    assert [problem.message for problem in reader.problems] == problems


def test_a_choice_with_a_default_and_one_without() -> None:
    reader = reader_of(("dir", ""))
    assert reader.choice("dir", ("asc", "desc"), "asc") == "asc"
    assert reader.choice("period", ("daily", "weekly")) is None
    assert [problem.message for problem in reader.problems] == [
        "dir must be one of asc, desc",
        "period is required",
    ]


def test_a_new_password_and_its_repetition() -> None:
    short = reader_of(("password", "short"), ("confirm_password", "other"))
    new_password(short)
    assert [problem.message for problem in short.problems] == [
        "password must be at least 8 characters",
        "confirm_password must match password",
    ]
    good = reader_of(("password", "long enough"), ("confirm_password", "long enough"))
    assert new_password(good) == {"password": "long enough", "confirm_password": "long enough"}
    good.check()
