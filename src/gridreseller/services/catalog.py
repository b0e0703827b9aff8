"""A distributor's own packages and IP groups, as the dashboard changes them.

The rules are the operator's (`gridreseller package create|delete`, `gridreseller ip
add|remove`, services/operator.py), applied to the acting distributor's own
packages and groups: another distributor's answer like ones that do not exist. The
audit entries carry the operator's action names, made by the distributor.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from gridreseller.db.repository import IpSummary, Repository
from gridreseller.domain import rules
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Actor, Success
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.operator import (
    PackageSpec,
    address_problems,
    package_values,
    refuse_if_used,
)

NO_SUCH_PACKAGE = "name must be the name of one of your packages"
NO_SUCH_GROUP = "group must be the name of one of your IP groups"
IpRow = IpSummary  # a group's address (None in an empty group), with its live users
# Addresses typed into one line: one or more, between spaces or commas.
_SEPARATORS = re.compile(r"[\s,]+")


class NewPackage(NamedTuple):
    name: str
    description: str
    price: str
    distributor_price: str
    credits: int
    overage: str
    has_ip: bool
    has_reseller: bool

    @property
    def spec(self) -> PackageSpec:
        return PackageSpec(**self._asdict())


class PackageName(NamedTuple):
    name: str


class AddIps(NamedTuple):
    group: str
    address: str

    @property
    def addresses(self) -> list[str]:
        return [a for a in _SEPARATORS.split(self.address) if a]


class RemoveIp(NamedTuple):
    address: str


class GroupName(NamedTuple):
    group: str


async def create_package(ctx: ServiceContext, actor: Actor, command: NewPackage) -> Success:
    values = package_values(command.spec)

    def change(repository: Repository) -> None:
        if repository.package_named(actor.account_id, command.name) is not None:
            raise Invalid([Problem("name", f"name is taken: you have a package {command.name!r}")])
        repository.create_package(actor.account_id, values)
        shown = {key: str(value) for key, value in values.items() if key != "name"}
        audit.record(repository, ctx, actor, "package.create", command.name, shown)

    await ctx.uow.run_write(change)
    return Success()


async def delete_package(ctx: ServiceContext, actor: Actor, command: PackageName) -> Success:
    """Refused while a live customer has the package."""

    def change(repository: Repository) -> None:
        package = repository.package_named(actor.account_id, command.name)
        if package is None:
            raise Invalid([Problem("name", NO_SUCH_PACKAGE)])
        users = repository.live_customers_on_package(package.id)
        refuse_if_used(f"package {command.name!r}", users)
        profiles = repository.delete_package(package.id)
        fields: dict[str, object] = {"deleted_customer_profiles": profiles}
        audit.record(repository, ctx, actor, "package.delete", command.name, fields)

    await ctx.uow.run_write(change)
    return Success()


async def ip_summaries(ctx: ServiceContext, actor: Actor) -> list[IpRow]:
    """The distributor's groups and addresses, each with the live customers using it."""
    return await ctx.uow.run_read(lambda r: r.ip_summaries(actor.account_id))


async def add_ips(ctx: ServiceContext, actor: Actor, command: AddIps) -> Success:
    """Creates the group if needed; an address may belong to one group of one
    distributor only."""
    problems = address_problems(command.addresses)
    if problems:
        raise Invalid(problems)
    addresses = list(dict.fromkeys(rules.canonical_ip(a) for a in command.addresses))

    def change(repository: Repository) -> None:
        group_id = repository.ip_groups_named(actor.account_id, [command.group]).get(command.group)
        if group_id is None:
            group_id = repository.create_ip_group(actor.account_id, command.group)
        for address in addresses:
            existing = repository.ip_group_of_address(address)
            if existing is None:
                repository.add_ip(group_id, address)
            elif existing != group_id:
                taken = f"address {address} already belongs to another IP group"
                raise Invalid([Problem("address", taken)])
        fields: dict[str, object] = {"addresses": addresses}
        audit.record(repository, ctx, actor, "ip.add", command.group, fields)

    await ctx.uow.run_write(change)
    return Success()


async def remove_ip(ctx: ServiceContext, actor: Actor, command: RemoveIp) -> Success:
    """Refused while a live customer has the address itself."""
    address = rules.canonical_ip(command.address) if rules.is_ip_address(command.address) else ""

    def change(repository: Repository) -> None:
        found = repository.ips_of(actor.account_id, [address])
        if address not in found:
            raise Invalid([Problem("address", "address must be one of your IP addresses")])
        refuse_if_used(address, repository.live_customers_on_ips(found.values()))
        repository.delete_ips(found.values())
        # Targeted at the distributor, as the command line's `ip remove` is.
        fields: dict[str, object] = {"addresses": [address]}
        audit.record(repository, ctx, actor, "ip.remove", actor.login_username, fields)

    await ctx.uow.run_write(change)
    return Success()


async def remove_ip_group(ctx: ServiceContext, actor: Actor, command: GroupName) -> Success:
    """The group and its addresses; refused while a live customer has the group or one
    of its addresses."""

    def change(repository: Repository) -> None:
        group_id = repository.ip_groups_named(actor.account_id, [command.group]).get(command.group)
        if group_id is None:
            raise Invalid([Problem("group", NO_SUCH_GROUP)])
        rows = repository.ip_summaries(actor.account_id)
        addresses = [row.address for row in rows if row.group == command.group and row.address]
        in_use = repository.live_customers_on_ip_group(group_id)
        refuse_if_used(f"IP group {command.group!r}", in_use)
        repository.delete_ip_group(group_id)
        fields: dict[str, object] = {"addresses": addresses}
        audit.record(repository, ctx, actor, "ip_group.remove", command.group, fields)

    await ctx.uow.run_write(change)
    return Success()
