"""distributor.manage method=limit's parameters, one operation per task
(services/credits.py)."""

from __future__ import annotations

from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import Choice, Count, Day, ParseContext, PositiveCount
from gridreseller.api.legacy.operations import Operation, Selector
from gridreseller.api.legacy.params import Params
from gridreseller.api.legacy.shared import user_field
from gridreseller.domain.credits import Period
from gridreseller.domain.errors import Problem
from gridreseller.domain.rules import parse_date
from gridreseller.services.credits import (
    END_BEFORE_START,
    Adjust,
    OfCustomer,
    SetRecurring,
    SetTotal,
    decrement,
    increment,
    remove,
    retrieve,
    set_recurring,
    set_total,
)


def _end_not_before_start(params: Params, context: ParseContext) -> Problem | None:
    """When startdate is left out, enddate is judged against today (the default start)."""
    end = parse_date(params.get("enddate") or "")
    start = parse_date(params.get("startdate") or "") if params.get("startdate") else context.today
    if end is not None and start is not None and end < start:
        return Problem("enddate", END_BEFORE_START)
    return None


OF_CUSTOMER = Declaration(OfCustomer, (user_field(),))
SET_TOTAL = Declaration(
    SetTotal,
    (
        user_field(),
        Field(
            "credits",
            Count(),
            True,
            description="The credits: an integer of 0 or more.",
            example="1000",
        ),
    ),
)
ADJUST = Declaration(
    Adjust,
    (
        user_field(),
        Field(
            "credits",
            PositiveCount(),
            True,
            description="How many: an integer of 1 or more.",
            example="100",
        ),
    ),
)
SET_RECURRING = Declaration(
    SetRecurring,
    (
        user_field(),
        Field(
            "credits",
            PositiveCount(),
            True,
            example="1000",
            description="The credits each period starts with: an integer of 1 or more.",
        ),
        Field(
            "period",
            Choice(tuple(p.value for p in Period)),
            True,
            example="monthly",
            description="daily (00:00 UTC), weekly (every 7 days from startdate) or monthly "
            "(startdate's day of the month).",
        ),
        Field("startdate", Day(), description="YYYY-mm-dd; default today (UTC)."),
        Field("enddate", Day(), description="YYYY-mm-dd, not before startdate: no reset after it."),
        Field(
            "initial_credits",
            PositiveCount(),
            description="The credits until the first reset (default: credits).",
        ),
    ),
    checks=(_end_not_before_start,),
)

LIMIT = Selector(
    "task",
    {
        "retrieve": Operation("The customer's sending limit.", OF_CUSTOMER, retrieve),
        "none": Operation("Remove the limit: unlimited sending.", OF_CUSTOMER, remove),
        "total": Operation("A total of credits, never reset.", SET_TOTAL, set_total),
        "increment": Operation("Add to the remaining credits.", ADJUST, increment),
        "decrement": Operation("Take from the remaining credits.", ADJUST, decrement),
        "recurring": Operation(
            "Credits reset every day, week or month.", SET_RECURRING, set_recurring
        ),
    },
)
