"""`gridreseller stats`: the sending activity the dashboard's Activity page shows, for
the operator (docs/dashboard.md): per day for one distributor or one of its
customers, or each distributor's totals."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Annotated

import typer

from gridreseller.cli.common import DatabaseUrl, context_for, table
from gridreseller.domain.activity import COUNTERS, Counts
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.services import activity
from gridreseller.services.activity import Activity
from gridreseller.services.context import ServiceContext

HEADER = ("messages", "recipients", "credits used", "refused messages", "refused recipients")
Since = Annotated[
    str,
    typer.Option(metavar="DATE", help="First day, YYYY-MM-DD (default 29 days before --until)."),
]
Until = Annotated[
    str, typer.Option(metavar="DATE", help="Last day, YYYY-MM-DD (default today, UTC).")
]
OfDistributor = Annotated[
    str, typer.Option("--distributor", metavar="U", help="This distributor's whole account.")
]
OfCustomer = Annotated[
    str, typer.Option("--customer", metavar="U", help="Only this customer of --distributor.")
]
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object per account.")]


def stats_command(
    distributor: OfDistributor = "",
    customer: OfCustomer = "",
    since: Since = "",
    until: Until = "",
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Sending activity per day: messages, recipients, credits used, refusals."""
    options = {"distributor": distributor, "customer": customer, "since": since, "until": until}
    _print_stats(context_for(database_url), as_json=as_json, **options)


def _print_stats(
    ctx: ServiceContext,
    *,
    distributor: str,
    customer: str,
    since: str,
    until: str,
    as_json: bool,
) -> None:
    """Print the figures: per day for one account, else a line per distributor."""
    if customer and not distributor:
        raise Invalid([Problem("customer", "--customer needs --distributor")])
    try:
        found = asyncio.run(_figures(ctx, distributor, customer, since, until))
    except Invalid as error:
        raise Invalid([_option(problem) for problem in error.problems]) from None
    if as_json:
        for each in found:
            typer.echo(json.dumps(each.as_dict(), ensure_ascii=False))
    elif distributor:
        _days(found[0])
    else:
        rows = [(each.account, *_cells(each.total)) for each in found]
        table(("distributor", *HEADER), rows)


async def _figures(
    ctx: ServiceContext, distributor: str, customer: str, since: str, until: str
) -> list[Activity]:
    if not distributor:
        return await activity.of_every_distributor(ctx, since, until)
    return [await activity.of_operator(ctx, distributor, customer, since, until)]


def _days(found: Activity) -> None:
    whole = " (the whole distributor)" if found.whole else ""
    span = f"{found.span.first.isoformat()} to {found.span.last.isoformat()}"
    typer.echo(f"{found.account}{whole}, {span} (UTC)")
    rows: list[list[object]] = [[d.day.isoformat(), *_cells(d.total)] for d in found.days]
    rows.append(["total", *_cells(found.total)])
    table(("day", *HEADER), rows)


def _cells(counts: Counts) -> list[object]:
    return [getattr(counts, name) for name in COUNTERS]


def _option(problem: Problem) -> Problem:
    """A service's message as the command line says it (`since` is `--since`)."""
    if problem.field not in ("since", "until"):
        return problem
    return Problem(problem.field, re.sub(r"\b(since|until)\b", r"--\1", problem.message))
