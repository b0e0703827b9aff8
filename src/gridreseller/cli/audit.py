"""`gridreseller audit` (the audit log) and `gridreseller backup` (a copy of SQLite)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from gridreseller.cli.common import DatabaseUrl, context_for
from gridreseller.domain.audit import one_line
from gridreseller.domain.errors import Invalid
from gridreseller.services import audit, operator


def audit_log(
    distributor: Annotated[
        str | None, typer.Option(metavar="U", help="Only events in this distributor's tenant.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="T", help="Only events at or after this UTC time (YYYY-mm-dd[THH:MM:SS])."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Read the audit log: changes, failed and throttled logins."""
    start = _parse_since(since) if since else None
    ctx = context_for(database_url)
    tenant = operator.distributor_id(ctx, distributor) if distributor else None
    for event in audit.events(ctx, tenant, start):
        line = json.dumps(event.as_dict(), ensure_ascii=False) if as_json else _line(event)
        typer.echo(one_line(line))


def _parse_since(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.removesuffix("Z"))
    except ValueError:
        raise Invalid(["--since must be YYYY-mm-dd or YYYY-mm-ddTHH:MM:SS (UTC)"]) from None
    return (
        parsed.replace(tzinfo=None)
        if parsed.tzinfo is None
        else parsed.astimezone(UTC).replace(tzinfo=None)
    )


def _line(event: audit.Event) -> str:
    """key=value pairs, values quoted with escapes; with one_line, no line separator
    (CR, LF, U+2028, U+0085...) inside a value can start a new line."""
    fields = event.as_dict()
    details = fields.pop("fields")
    parts = [f"{fields.pop('time')}"]
    parts += [f"{name}={json.dumps(value, ensure_ascii=False)}" for name, value in fields.items()]
    parts.append(f"fields={json.dumps(details, ensure_ascii=False, sort_keys=True)}")
    return " ".join(parts)


def backup(
    to: Annotated[Path, typer.Option("--to", metavar="FILE", help="The copy to write (new file).")],
    database_url: DatabaseUrl = None,
) -> None:
    """A consistent copy of the SQLite database, safe while `serve` runs and writes."""
    copied = operator.backup(context_for(database_url), to)
    typer.echo(f"backed up {copied.pages} pages to {copied.path}")
