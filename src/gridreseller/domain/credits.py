"""Sending credits (docs/api.md, sending credits): a customer's limit, and when it resets.

Resets happen by rule, not by a timer that could be missed: whoever reads a limit
computes the latest period boundary since `last_reset`, and if there is one (before
the end date), the remaining credits are back at `credit` as of that boundary. A
server that was down across several periods resets once, to the latest boundary.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass, replace
from datetime import date, timedelta


class Period(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class SendingLimit:
    """A customer's limit. `period` None: a total, never reset. `generation` changes
    at every set and every reset: credits given back go only to the generation they
    were taken from."""

    credit: int
    remaining: int
    last_reset: date
    period: Period | None = None
    start: date | None = None
    end: date | None = None
    generation: int = 1

    def as_of(self, today: date) -> SendingLimit:
        """The limit with any reset due by `today` applied."""
        boundary = self.due_reset(today)
        if boundary is None:
            return self
        return replace(
            self, remaining=self.credit, last_reset=boundary, generation=self.generation + 1
        )

    def due_reset(self, today: date) -> date | None:
        """The latest period boundary after `last_reset`, up to today and the end date."""
        if self.period is None or self.start is None:
            return None
        until = today if self.end is None else min(today, self.end)
        boundary = latest_boundary(self.period, self.start, until)
        if boundary is None or boundary <= self.last_reset:
            return None
        return boundary


def latest_boundary(period: Period, start: date, until: date) -> date | None:
    """The last boundary after `start` that is not after `until`, if any: daily each
    midnight UTC, weekly every 7 days from `start`, monthly on `start`'s day of the
    month (clamped to the month's last day)."""
    if until <= start:
        return None
    if period is Period.DAILY:
        return until
    if period is Period.WEEKLY:
        weeks = (until - start).days // 7
        return start + timedelta(weeks=weeks) if weeks else None
    months = (until.year - start.year) * 12 + until.month - start.month
    boundary = months_after(start, months)
    if boundary > until:
        months -= 1
        boundary = months_after(start, months)
    return boundary if months > 0 else None


def months_after(start: date, months: int) -> date:
    """`start`'s day of the month, `months` later, clamped to that month's last day."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))
