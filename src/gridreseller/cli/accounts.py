"""`gridreseller distributor ...`: create, list, set a password, disable, enable."""

from __future__ import annotations

from typing import Annotated

import typer

from gridreseller.cli.common import (
    DatabaseUrl,
    Distributor,
    Password,
    context_for,
    read_password,
    table,
)
from gridreseller.services import operator


def create(
    username: Annotated[str, typer.Option(metavar="U", help="Login name of the distributor.")],
    email: Annotated[str, typer.Option(metavar="E", help="Its contact address.")],
    password: Password = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a distributor (a reseller account)."""
    ctx = context_for(database_url)
    operator.create_distributor(ctx, username, read_password(password), email)
    typer.echo(f"created distributor {username}")


def list_all(database_url: DatabaseUrl = None) -> None:
    """Every distributor: username, email, state and live customers."""
    rows = [
        (d.username, d.email, "enabled" if d.active else "disabled", d.customers)
        for d in operator.distributors(context_for(database_url))
    ]
    table(("username", "email", "state", "customers"), rows)


def set_password(
    username: Distributor, password: Password = None, database_url: DatabaseUrl = None
) -> None:
    """Give a distributor a new password (its open sessions end)."""
    ctx = context_for(database_url)
    operator.set_distributor_password(ctx, username, read_password(password))
    typer.echo(f"password of {username} changed")


def disable(username: Distributor, database_url: DatabaseUrl = None) -> None:
    """Refuse the distributor and its credentials everywhere; its customers keep working."""
    _set_enabled(username, False, database_url)


def enable(username: Distributor, database_url: DatabaseUrl = None) -> None:
    """Undo `distributor disable`."""
    _set_enabled(username, True, database_url)


def _set_enabled(username: str, enabled: bool, database_url: str | None) -> None:
    state = "enabled" if enabled else "disabled"
    changed = operator.set_distributor_enabled(context_for(database_url), username, enabled)
    typer.echo(f"distributor {username} {state}" if changed else f"{username} was already {state}")
