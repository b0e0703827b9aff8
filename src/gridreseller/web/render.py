"""Templates (Jinja2, autoescaped), and a form's state: its values and the services'
errors, each shown beside the field it names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import jinja2
from starlette.templating import Jinja2Templates

from gridreseller.domain.errors import Invalid
from gridreseller.web.forms import Form
from gridreseller.web.messages import in_words

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


def templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the tests, not silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = money
    return Jinja2Templates(env=environment)


CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """An amount as a price is shown, without a currency: two decimals (`0.00`), or
    as many as a smaller amount needs (an overage of `0.0015` a message)."""
    cents = amount.quantize(CENT)
    return f"{cents:f}" if cents == amount else f"{amount.normalize():f}"


@dataclass(frozen=True)
class FormState:
    """One form of a page: what its fields show, and the errors of its last submission."""

    name: str
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    # Repeated fields (`ip_group[]`): the values ticked.
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def chosen(self, name: str) -> tuple[str, ...]:
        return self.lists.get(name, ())

    def errors_for(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def has_errors(self) -> bool:
        return bool(self.errors or self.general)

    @classmethod
    def refused(
        cls, name: str, submitted: Form, error: Invalid, fields: Iterable[str]
    ) -> FormState:
        """A submission the service refused: its values again (never a password), and
        each error beside the field it starts with, the rest above the form, every one
        in the words of the form's labels (web/messages.py)."""
        known = set(fields)
        by_field: dict[str, list[str]] = {}
        general: list[str] = []
        for message in error.errors:
            target = message.split(" ", 1)[0].removesuffix("[]")
            worded = in_words(message, name)
            if target in known:
                by_field.setdefault(target, []).append(worded)
            else:
                general.append(worded)
        values = {k: v for k, v in submitted.values().items() if "password" not in k}
        lists = {k: tuple(submitted.every(k)) for k in values if k.endswith("[]")}
        return cls(name, values, by_field, general, lists)
