"""Sending activity: what is counted per account, day and surface (docs/dashboard.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from operator import add
from typing import NamedTuple

COUNTERS = ("messages", "recipients", "credits_used", "messages_refused", "recipients_refused")


class ActivityKey(NamedTuple):
    """Whose row a count goes to: an account's (its distributor's for the totals), on
    one day (UTC), through one surface (smtp, api)."""

    account_id: int
    distributor_id: int
    day: date
    surface: str


class Counted(NamedTuple):
    """Where a customer's credits are counted, but for the day (the taking's own)."""

    distributor_id: int
    surface: str


class Counts(NamedTuple):
    """What happened: messages the upstream accepted and their recipients, credits
    spent (less those given back), messages the upstream refused or could not be
    reached for, and recipients refused because the credits did not cover them."""

    messages: int = 0
    recipients: int = 0
    credits_used: int = 0
    messages_refused: int = 0
    recipients_refused: int = 0

    def plus(self, other: Counts) -> Counts:
        return Counts._make(map(add, self, other))  # once per message: kept cheap


def total(counts: Iterable[Counts]) -> Counts:
    summed = Counts()
    for each in counts:
        summed = summed.plus(each)
    return summed


class DayFigures(NamedTuple):
    day: date
    surface: str
    counts: Counts
