"""A submitted form: its fields in order, read within the API's body and field limits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

from gridreseller.config import Settings
from gridreseller.http.body import read_body, refuse_declared
from gridreseller.http.headers import media_type
from gridreseller.http.problems import HttpProblem

FORM_TYPE = "application/x-www-form-urlencoded"
# The dashboard's words for BodyTooLarge (its table is in web/dashboard.py).
TOO_LARGE = "The form is too large."


class FormRefused(Exception):
    """A POST from another site, or without the right token (docs/dashboard.md: 403, nothing
    changed)."""


@dataclass(frozen=True)
class Form:
    """Fields as submitted (a name may repeat: `ip_group[]`); `get` is the last value."""

    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        found = None
        for key, value in self.pairs:
            if key == name:
                found = value
        return found

    def text(self, name: str) -> str:
        return self.get(name) or ""

    def every(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def without(self, *names: str) -> Form:
        return Form(tuple((k, v) for k, v in self.pairs if k not in names))

    def only(self, names: Iterable[str]) -> Form:
        wanted = set(names)
        return Form(tuple((k, v) for k, v in self.pairs if k in wanted))

    def values(self) -> dict[str, str]:
        return dict(self.pairs)

    @classmethod
    def of(cls, fields: Mapping[str, str]) -> Form:
        return cls(tuple(fields.items()))


async def read_form(request: Request, settings: Settings) -> Form:
    """The urlencoded body (what an HTML form sends), refused past the API's limits:
    HttpProblem when too large (413), not a form (415) or malformed (400)."""
    if media_type(request.scope)[0] not in (FORM_TYPE, ""):
        raise HttpProblem(415, f"The form must be sent as {FORM_TYPE}.")
    refuse_declared(request.scope, settings.max_body_bytes)
    body = await read_body(request.receive, settings.max_body_bytes)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            errors="strict",
            max_num_fields=settings.max_parameters,
        )
    except UnicodeDecodeError:
        raise HttpProblem(400, "The form must be UTF-8 text.") from None
    except ValueError:
        raise HttpProblem(400, f"A form has at most {settings.max_parameters} fields.") from None
    return Form(tuple(pairs))
