"""`gridreseller package ...` and `gridreseller ip ...`: what distributors sell and
the addresses they send from."""

from __future__ import annotations

from typing import Annotated

import typer

from gridreseller.cli.common import DatabaseUrl, Distributor, OnlyOf, context_for, table
from gridreseller.domain.errors import Invalid
from gridreseller.services import operator

Owner = Annotated[str, typer.Option(metavar="U", help="Owning distributor's username.")]


def package_create(
    distributor: Owner,
    name: Annotated[str, typer.Option(metavar="N", help="Package name, unique per distributor.")],
    price: Annotated[str, typer.Option(metavar="X", help="Price to the customer.")] = "0",
    description: Annotated[str, typer.Option(metavar="T", help="Free text.")] = "",
    credits: Annotated[int, typer.Option(metavar="N", help="Sending credits included.")] = 0,
    overage: Annotated[str, typer.Option(metavar="X", help="Price per extra email.")] = "0",
    has_ip: Annotated[
        bool, typer.Option("--has-ip", help="Customers on it may be given dedicated IPs.")
    ] = False,
    has_reseller: Annotated[
        bool, typer.Option("--has-reseller", help="Customers on it may resell (sub-accounts).")
    ] = False,
    distributor_price: Annotated[
        str, typer.Option(metavar="X", help="What the distributor pays for it.")
    ] = "0",
    database_url: DatabaseUrl = None,
) -> None:
    """Create a package a distributor can assign to its customers."""
    ctx = context_for(database_url)
    spec = operator.PackageSpec(
        name=name,
        price=price,
        description=description,
        credits=credits,
        overage=overage,
        has_ip=has_ip,
        has_reseller=has_reseller,
        distributor_price=distributor_price,
    )
    operator.create_package(ctx, distributor, spec)
    typer.echo(f"created package {name} for {distributor}")


def package_list(distributor: OnlyOf = None, database_url: DatabaseUrl = None) -> None:
    """Packages with their terms and the live customers on each."""
    header = ("distributor", "name", "price", "credits", "overage", "distributor_price")
    table(
        (*header, "has_ip", "has_reseller", "customers"),
        operator.packages(context_for(database_url), distributor),
    )


def package_delete(
    distributor: Distributor,
    name: Annotated[str, typer.Option(metavar="N", help="The package's name.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Delete a package no live customer is on."""
    operator.delete_package(context_for(database_url), distributor, name)
    typer.echo(f"deleted package {name} of {distributor}")


def ip_add(
    distributor: Owner,
    group: Annotated[str, typer.Option(metavar="G", help="IP group (created if missing).")],
    addresses: Annotated[list[str], typer.Argument(help="IPv4 or IPv6 addresses.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Add IP addresses to one of a distributor's IP groups."""
    operator.add_ips(context_for(database_url), distributor, group, addresses)
    typer.echo(f"added {len(addresses)} address(es) to {group} for {distributor}")


def ip_list(distributor: OnlyOf = None, database_url: DatabaseUrl = None) -> None:
    """IP groups and their addresses, with the live customers that have each group, and
    each address itself."""
    rows = operator.ip_addresses(context_for(database_url), distributor)
    table(("distributor", "group", "group_customers", "address", "customers"), rows)


def ip_remove(
    distributor: Distributor,
    addresses: Annotated[
        list[str] | None, typer.Argument(help="Addresses to remove (or give --group).")
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(metavar="G", help="Remove this whole group (instead of addresses)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove addresses, or a whole group, that no live customer has."""
    if group is not None and addresses:
        raise Invalid(["give either --group or addresses, not both"])
    ctx = context_for(database_url)
    if group is not None:
        operator.remove_ip_group(ctx, distributor, group)
        typer.echo(f"removed IP group {group} of {distributor}")
    else:
        operator.remove_ips(ctx, distributor, addresses or [])
        typer.echo(f"removed {len(addresses or [])} address(es) of {distributor}")
