"""Errors into answers: one mechanism, one table per surface.

Each surface (the legacy API, the v3 surface, auth_http, the dashboard) lists the
error kinds it answers, each with its status and its own words; the headers that
follow from an error (Retry-After, Connection: close) are decided here, once, for
every surface alike. SMTP's replies are mail/replies.py's table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gridreseller.domain.errors import Throttled, Unavailable
from gridreseller.http.problems import BodyTooLarge, HttpProblem

Said = TypeVar("Said")


@dataclass(frozen=True, slots=True)
class Row(Generic[Said]):
    """How a surface answers one kind of error: its status (None: the status the
    HttpProblem carries) and its words, in the surface's own shape."""

    status: int | None
    words: Callable[[Any], Said]


@dataclass(frozen=True, slots=True)
class Refusal(Generic[Said]):
    status: int
    said: Said
    headers: dict[str, str] | None


class ErrorTable(Generic[Said]):
    """A surface's table. The nearest kind in an error's class hierarchy decides, so
    a row for a base class answers for the kinds beneath it that have none."""

    def __init__(self, rows: Mapping[type[Exception], Row[Said]]) -> None:
        self._rows = dict(rows)

    def refusal(self, error: Exception) -> Refusal[Said] | None:
        """The answer to `error`, or None when the table has no row for it (for the
        surface to treat as unexpected)."""
        for kind in type(error).__mro__:
            row = self._rows.get(kind)
            if row is not None:
                status = row.status if row.status is not None else _own_status(error)
                return Refusal(status, row.words(error), refusal_headers(error, status))
        return None


def _own_status(error: Exception) -> int:
    return error.status if isinstance(error, HttpProblem) else 500


def refusal_headers(error: Exception, status: int) -> dict[str, str] | None:
    """When to come back (429 and 503), and that an oversized body's connection ends:
    the rest of that body is not read, so the connection cannot be reused."""
    if isinstance(error, Throttled | Unavailable):
        return {"Retry-After": str(error.retry_after)}
    if status == 503:
        return {"Retry-After": "1"}
    if isinstance(error, BodyTooLarge):
        return {"Connection": "close"}
    return None
