"""When sending credits reset (docs/api.md, sending credits): pure date arithmetic, no database."""

from __future__ import annotations

from datetime import date

import pytest

from gridreseller.domain.credits import Period, SendingLimit, latest_boundary, months_after

D, W, M = Period.DAILY, Period.WEEKLY, Period.MONTHLY


@pytest.mark.parametrize(
    ("period", "start", "until", "boundary"),
    [
        (D, date(2026, 3, 1), date(2026, 3, 1), None),  # the start itself is no reset
        (D, date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 2)),
        (D, date(2026, 3, 1), date(2026, 4, 9), date(2026, 4, 9)),
        (W, date(2026, 3, 1), date(2026, 3, 7), None),
        (W, date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 8)),
        (W, date(2026, 3, 1), date(2026, 3, 21), date(2026, 3, 15)),
        (M, date(2026, 1, 15), date(2026, 2, 14), None),
        (M, date(2026, 1, 15), date(2026, 2, 15), date(2026, 2, 15)),
        (M, date(2026, 1, 31), date(2026, 2, 28), date(2026, 2, 28)),  # clamped
        (M, date(2026, 1, 31), date(2026, 3, 30), date(2026, 2, 28)),
        (M, date(2026, 1, 31), date(2026, 3, 31), date(2026, 3, 31)),  # not drifting
        (M, date(2024, 1, 31), date(2024, 2, 29), date(2024, 2, 29)),  # leap year
        (M, date(2024, 2, 29), date(2025, 2, 28), date(2025, 2, 28)),
        (M, date(2025, 12, 20), date(2026, 1, 20), date(2026, 1, 20)),  # over the year
        (D, date(2026, 3, 5), date(2026, 3, 1), None),  # a start ahead
    ],
)
def test_latest_boundary(period: Period, start: date, until: date, boundary: date | None) -> None:
    assert latest_boundary(period, start, until) == boundary


def test_months_after_clamps_each_month_from_the_start() -> None:
    start = date(2026, 1, 31)
    assert [months_after(start, n) for n in range(1, 5)] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def recurring(period: Period, start: date, **changes: object) -> SendingLimit:
    values: dict[str, object] = {
        "credit": 100,
        "remaining": 3,
        "last_reset": start,
        "period": period,
        "start": start,
        "end": None,
    }
    values.update(changes)
    return SendingLimit(**values)  # type: ignore[arg-type]


def test_a_total_never_resets() -> None:
    total = SendingLimit(100, 3, date(2026, 1, 1))
    assert total.as_of(date(2030, 1, 1)) == total


def test_a_reset_puts_the_credits_back_as_of_the_boundary() -> None:
    limit = recurring(W, date(2026, 3, 1))
    assert limit.as_of(date(2026, 3, 7)) == limit
    reset = limit.as_of(date(2026, 3, 9))
    assert (reset.remaining, reset.last_reset) == (100, date(2026, 3, 8))
    assert reset.as_of(date(2026, 3, 14)) == reset  # once per boundary


def test_a_server_down_across_several_periods_resets_once_to_the_latest() -> None:
    limit = recurring(D, date(2026, 3, 1))
    reset = limit.as_of(date(2026, 3, 20))
    assert (reset.remaining, reset.last_reset) == (100, date(2026, 3, 20))


def test_no_reset_after_the_end_date() -> None:
    limit = recurring(M, date(2026, 1, 10), end=date(2026, 3, 1))
    last = limit.as_of(date(2026, 12, 31))
    assert last.last_reset == date(2026, 2, 10)  # the last boundary before the end
    spent = SendingLimit(100, 0, date(2026, 2, 10), M, date(2026, 1, 10), date(2026, 3, 1))
    assert spent.as_of(date(2026, 12, 31)).remaining == 0


def test_set_today_with_a_start_ahead_waits_for_the_first_boundary_after_it() -> None:
    today, start = date(2026, 3, 1), date(2026, 3, 10)
    limit = recurring(D, start, last_reset=today)
    assert limit.as_of(date(2026, 3, 10)) == limit
    assert limit.as_of(date(2026, 3, 11)).last_reset == date(2026, 3, 11)


def test_a_limit_set_today_does_not_reset_today() -> None:
    today = date(2026, 3, 20)
    limit = recurring(D, date(2026, 3, 1), last_reset=today)  # a start in the past
    assert limit.as_of(today) == limit
