"""Reading a dashboard form's fields for the services' typed commands.

Each field is judged by a rule every surface shares (domain/field_rules.py: what a
username, an email address, a password, a count is) under the name the form sends it
by, so each message names the form's own field (web/messages.py then puts it in the
words of the form's labels). What an empty field means, and the few rules only the
dashboard's widgets need (a ticked box, a permission bit), are worded here. Every
problem of a form is kept, in the order its fields are read, and raised together as
one Invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from gridreseller.domain import field_rules, rules
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.field_rules import FieldLimits, FieldProblem
from gridreseller.web.forms import Form

# A field's rule: given its name and its (non-empty) value, the value as the command
# takes it, or FieldProblem with a message that names the field.
Rule = Callable[[str, str], Any]
# What an empty value means: the message it gets (None: the field is not given).
Empty = Callable[[str], str] | None


def is_required(name: str) -> str:
    return f"{name} is required"


def must_not_be_empty(name: str) -> str:
    return f"{name} must not be empty"


def text(max_length: int | None = None) -> Callable[[str, str], str]:
    """Text without control characters, at most `max_length` characters."""
    return partial(field_rules.text, max_length=max_length)


def as_given(_name: str, raw: str) -> str:
    """Any value, taken as typed (a password to check)."""
    return raw


def ticked(message: str = "must be true or false") -> Rule:
    """A checkbox or a yes/no choice: `true`/`false`/`1`/`0` in any case."""

    def rule(name: str, raw: str) -> bool:
        parsed = rules.parse_bool(raw)
        if parsed is None:
            raise FieldProblem(f"{name} {message}")
        return parsed

    return rule


def bit(name: str, raw: str) -> int:
    """A permission's checkbox: `0` or `1`."""
    if raw not in ("0", "1"):
        raise FieldProblem(f"{name} must be 0 or 1")
    return int(raw)


def matching(other: str, value: str | None) -> Rule:
    """The same value as the field `other` (sent as `value`): a repeated password."""
    return partial(field_rules.confirmation, of=other, expected=value)


def new_password(reader: FormReader) -> dict[str, str]:
    """`password` under the rules of a new password, and `confirm_password` equal to it
    (the two fields of every form that sets a password)."""
    minimum = reader.limits.min_password_length

    def rule(name: str, raw: str) -> str:
        return field_rules.password(name, raw, minimum)

    sent = reader.form.get("password")
    return {
        "password": reader.value("password", rule, required=True, empty=is_required),
        "confirm_password": reader.value(
            "confirm_password", matching("password", sent), required=True, empty=is_required
        ),
    }


class FormReader:
    """One submitted form, read a field at a time; `problems` collects what is wrong."""

    def __init__(self, form: Form, limits: FieldLimits) -> None:
        self.form = form
        self.limits = limits
        self.problems: list[Problem] = []

    def value(
        self,
        name: str,
        rule: Rule,
        *,
        required: bool = False,
        empty: Empty = must_not_be_empty,
        default: Any = None,
    ) -> Any:
        """The field's value; `default` when it is not sent, or has a problem."""
        raw = self.form.get(name)
        if raw is None or (raw == "" and empty is None):
            if required:
                self.problems.append(Problem(name, is_required(name)))
            return default
        if raw == "" and empty is not None:
            self.problems.append(Problem(name, empty(name)))
            return default
        try:
            return rule(name, raw)
        except FieldProblem as problem:
            self.problems.append(Problem(name, str(problem)))
            return default

    def flag(
        self,
        name: str,
        *,
        message: str = "must be true or false",
        empty_is_absent: bool = False,
        default: bool | None = None,
    ) -> Any:
        """A checkbox or a yes/no choice: `true`/`false`/`1`/`0` in any case."""
        empty = None if empty_is_absent else (lambda field: f"{field} {message}")
        return self.value(name, ticked(message), empty=empty, default=default)

    def choice(self, name: str, options: tuple[str, ...], default: str | None = None) -> Any:
        """One of a few words (a select's options)."""

        def rule(field: str, raw: str) -> str:
            return field_rules.choice(field, raw, options)

        def empty(field: str) -> str:
            return field_rules.choice_message(field, options)

        return self.value(name, rule, required=default is None, empty=empty, default=default)

    def repeated(self, name: str, rule: Rule, values: list[str] | None = None) -> list[Any]:
        """Every value of the repeated field `name[]` (or of `values`, when the form
        sends them another way) that passes, each once, in the order sent; a problem
        for each one that does not."""
        field = f"{name}[]"
        found: list[Any] = []
        for raw in self.form.every(field) if values is None else values:
            try:
                found.append(rule(field, raw))
            except FieldProblem as problem:
                self.problems.append(Problem(name, str(problem)))
        return list(dict.fromkeys(found))

    def add(self, problem: Problem | None) -> None:
        """A problem found across fields (after the fields' own)."""
        if problem is not None:
            self.problems.append(problem)

    def check(self) -> None:
        """Invalid with every problem found, if any."""
        if self.problems:
            raise Invalid(self.problems)
