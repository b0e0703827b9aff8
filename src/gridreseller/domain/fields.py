"""Each call's parameters, declared once: parsing, error messages and the OpenAPI schema
(api/openapi.py) all derive from a `Declaration` of `Field`s.

A field is a name, a `Kind` (what a value must look like), whether it is required,
and whether it repeats (`name[]`). Parsing a request reads every field, collects
every problem (each message names its parameter) and raises them together as one
`Invalid`; otherwise it builds the call's typed command.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, NamedTuple, TypeVar

from gridreseller.domain import rules, usernames
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Permissions
from gridreseller.domain.params import Params

C = TypeVar("C")


class FieldProblem(Exception):
    """One parameter's value is not acceptable; the message names the parameter."""


class ParseContext(NamedTuple):
    """What parsing needs beyond the request: settings and today's date (UTC). (A named
    tuple: one is made for every request.) `today` is a date, or the clock to read it
    from when a field asks (most calls never do)."""

    min_password_length: int
    clock: date | Callable[[], datetime]
    reserved_domains: tuple[str, ...] = ()
    params: Params = Params()

    @property
    def today(self) -> date:
        clock = self.clock
        return clock if isinstance(clock, date) else clock().date()

    def reading(self, params: Params) -> ParseContext:
        return ParseContext(self.min_password_length, self.clock, self.reserved_domains, params)


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
        if rules.has_illegal_characters(raw):
            raise FieldProblem(f"{name} must not contain control characters")
        if self.max_length is not None and len(raw) > self.max_length:
            raise FieldProblem(f"{name} must be no more than {self.max_length} characters")
        return raw


@dataclass(frozen=True)
class Username(Text):
    """A login's name as the caller gives it (`user`): required, no control characters."""

    def empty(self, name: str) -> str:
        return f"{name} is required"


@dataclass(frozen=True)
class Email(Text):
    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        value = super().parse(name, raw, context)
        if not rules.is_email(value):
            raise FieldProblem(f"{name} must be a valid email address")
        return value


@dataclass(frozen=True)
class NewUsername(Text):
    """A new login's name: what the username profile accepts (domain/usernames.py)."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        value = super().parse(name, raw, context)
        problem = usernames.username_problem(name, value)
        if problem:
            raise FieldProblem(problem)
        return value


@dataclass(frozen=True)
class LoginEmail(NewUsername):
    """A new login's name in email form (setUsername), not on a reserved domain. The
    profile's finding comes first: it says more than "not an email address"."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        value = super().parse(name, raw, context)
        if not rules.is_email(value):
            raise FieldProblem(f"{name} must be a valid email address")
        # Judged on the comparison key, so that no spelling of a reserved domain passes.
        domain = rules.email_domain(usernames.username_key(value))
        if rules.is_reserved_domain(domain, context.reserved_domains):
            raise FieldProblem(f"{name} must not use a reserved domain")
        return value


@dataclass(frozen=True)
class DomainName(Text):
    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        value = super().parse(name, raw, context)
        if not rules.is_domain_name(value):
            raise FieldProblem(f"{name} must be a domain name")
        return value


@dataclass(frozen=True)
class Password(Kind):
    """A new password: the configured minimum up to 256 characters."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        if rules.has_illegal_characters(raw):
            raise FieldProblem(f"{name} must not contain control characters")
        if len(raw) < context.min_password_length:
            raise FieldProblem(f"{name} must be at least {context.min_password_length} characters")
        if len(raw) > rules.MAX_PASSWORD_LENGTH:
            raise FieldProblem(
                f"{name} must be no more than {rules.MAX_PASSWORD_LENGTH} characters"
            )
        return raw

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
        if raw != context.params.get(self.of):
            raise FieldProblem(f"{name} must match {self.of}")
        return raw

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
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise FieldProblem(f"{name} must be a non-negative integer")
        return int(raw)


@dataclass(frozen=True)
class BillingDate(Kind):
    """§4: YYYY-mm-dd from today (UTC) up to the same day of next month; empty: none."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        parsed = rules.parse_date(raw)
        if parsed is None:
            raise FieldProblem(f"{name} must be a date in YYYY-mm-dd format")
        today, latest = context.today, rules.add_one_month(context.today)
        if not today <= parsed <= latest:
            raise FieldProblem(
                f"{name} must be between {today.isoformat()} and {latest.isoformat()}"
            )
        return parsed


@dataclass(frozen=True)
class PositiveCount(Kind):
    """An integer of at least 1 (up to 18 digits); empty means not given."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
            raise FieldProblem(f"{name} must be a positive integer")
        return int(raw)


@dataclass(frozen=True)
class Day(Kind):
    """A date, YYYY-mm-dd; empty means not given."""

    empty_is_absent = True

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        parsed = rules.parse_date(raw)
        if parsed is None:
            raise FieldProblem(f"{name} must be a date in YYYY-mm-dd format")
        return parsed


@dataclass(frozen=True)
class Choice(Kind):
    """One of a few words."""

    options: tuple[str, ...] = ()

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        if raw not in self.options:
            raise FieldProblem(f"{name} must be one of {', '.join(self.options)}")
        return raw

    def empty(self, name: str) -> str:
        return f"{name} must be one of {', '.join(self.options)}"


@dataclass(frozen=True)
class IpAddress(Kind):
    """An IPv4 or IPv6 address, kept in canonical form."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        if not rules.is_ip_address(raw):
            raise FieldProblem(f"{name} must be a valid IP address: {raw!r}"[:300])
        return rules.canonical_ip(raw)


@dataclass(frozen=True)
class CredentialName(Kind):
    """§8: 1-64 of letters, digits and `_ . - @ +`."""

    def parse(self, name: str, raw: str, context: ParseContext) -> Any:
        if not rules.is_credential_name(raw):
            raise FieldProblem(f"{name} must be 1 to 64 letters, digits or _ . - @ +")
        return raw

    def empty(self, name: str) -> str:
        return f"{name} is required"


@dataclass(frozen=True)
class PermissionsJson(Kind):
    """§8: a JSON object with keys among email, web, api and values 0 or 1."""

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
class Field:
    """One request parameter. `attr` is the command attribute it fills (default: name);
    `aliases` are other parameter names read when this one is absent or empty."""

    name: str
    kind: Kind
    required: bool = False
    repeatable: bool = False
    description: str = ""
    example: str | None = None
    attr: str | None = None
    aliases: tuple[str, ...] = ()
    default: Any = None

    @property
    def attribute(self) -> str:
        return self.attr or self.name

    @property
    def simple(self) -> bool:
        """Read under its own name only, one value."""
        return not self.aliases and not self.repeatable

    @property
    def wire_name(self) -> str:
        """The name as sent: `ip[]` for a repeatable field."""
        return f"{self.name}[]" if self.repeatable else self.name

    def read(self, context: ParseContext, problems: list[Problem]) -> Any:
        if self.repeatable:
            return self._read_many(context, problems)
        name, raw = self._given(context.params)
        if raw is None or (raw == "" and self.kind.empty_is_absent):
            if self.required:
                problems.append(Problem(self.name, f"{self.name} is required"))
            return self.default
        if raw == "":
            problems.append(Problem(self.name, self.kind.empty(name)))
            return self.default
        try:
            return self.kind.parse(name, raw, context)
        except FieldProblem as problem:
            problems.append(Problem(self.name, str(problem)))
            return self.default

    def _given(self, params: Params) -> tuple[str, str | None]:
        """The first of the names that carries a value (else the field's own, as given)."""
        own = params.values.get(self.name)
        if own or not self.aliases:
            return self.name, own
        for alias in self.aliases:
            value = params.values.get(alias)
            if value:
                return alias, value
        return self.name, own

    def _read_many(self, context: ParseContext, problems: list[Problem]) -> list[Any]:
        values: list[Any] = []
        for raw in context.params.many(self.name):
            try:
                values.append(self.kind.parse(self.wire_name, raw, context))
            except FieldProblem as problem:
                problems.append(Problem(self.name, str(problem)))
        return list(dict.fromkeys(values))


# A check across fields: given the parameters as sent, a problem or None.
Check = Callable[[Params, ParseContext], Problem | None]


def at_least_one_of(names: Sequence[str]) -> Check:
    def check(params: Params, _context: ParseContext) -> Problem | None:
        if any(params.get(name) is not None for name in names):
            return None
        return Problem(None, f"at least one of {', '.join(names)} is required")

    return check


class _ReadingPlan(NamedTuple):
    defaults: dict[str, Any]
    always: tuple[tuple[Field, str], ...]
    optional: dict[str, tuple[Field, str]]
    order: dict[str, int]


@dataclass(frozen=True)
class Declaration(Generic[C]):
    """A call's parameters and the command they make."""

    command: Callable[..., C]
    fields: tuple[Field, ...]
    checks: tuple[Check, ...] = ()
    # Sets of parameters of which at least one must be given (for the OpenAPI document).
    any_of: tuple[tuple[str, ...], ...] = ()

    @functools.cached_property
    def _plan(self) -> _ReadingPlan:
        """What `read` needs, worked out once, not on every request."""
        optional = {f.name: (f, f.attribute) for f in self.fields if f.simple and not f.required}
        return _ReadingPlan(
            defaults={f.attribute: f.default for f in self.fields},
            always=tuple((f, f.attribute) for f in self.fields if f.name not in optional),
            optional=optional,
            order={f.name: index for index, f in enumerate(self.fields)},
        )

    def parse(self, params: Params, context: ParseContext) -> C:
        """The typed command, or Invalid with every problem of the request."""
        values, problems = self.read(params, context)
        if problems:
            raise Invalid(problems)
        return self.build(values)

    def read(self, params: Params, context: ParseContext) -> tuple[dict[str, Any], list[Problem]]:
        """Every field's value (its default where it has a problem), and the problems."""
        context = context.reading(params)
        plan = self._plan
        problems: list[Problem] = []
        values = plan.defaults.copy()  # every attribute, in the declaration's order
        for f, attribute in plan.always:
            values[attribute] = f.read(context, problems)
        # Most fields of most calls are not given: an optional field is read only when
        # its name was sent, so a call costs what it was sent, not what it declares.
        for name, raw in params.values.items():
            entry = plan.optional.get(name)
            if entry is not None and raw is not None:
                values[entry[1]] = entry[0].read(context, problems)
        if problems:  # in the declaration's order, whatever the request's
            problems.sort(key=lambda problem: plan.order.get(problem.field or "", 0))
        for check in self.checks:
            problem = check(params, context)
            if problem is not None:
                problems.append(problem)
        return values, problems

    def build(self, values: Mapping[str, Any]) -> C:
        if self._in_order:  # a named tuple whose fields are the declaration's, in order
            return self._make(values.values())
        return self.command(**values)

    @functools.cached_property
    def _in_order(self) -> bool:
        fields = getattr(self.command, "_fields", None)
        return fields == tuple(f.attribute for f in self.fields)

    @functools.cached_property
    def _make(self) -> Callable[[Any], C]:
        make: Callable[[Any], C] = getattr(self.command, "_make")  # noqa: B009 - a named tuple's
        return make


def permissions_with(current: Permissions, bits: Mapping[str, int]) -> Permissions:
    return Permissions(
        email=bits.get("email", current.email),
        web=bits.get("web", current.web),
        api=bits.get("api", current.api),
    )
