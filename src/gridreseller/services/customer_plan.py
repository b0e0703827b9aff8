"""A customer's package, whitelabel, IP groups and addresses, and billing date, after
distributor.add.

The legacy API sets these only when it creates a customer (docs/api.md); the
dashboard changes them here, each under distributor.add's own rules and messages,
with an audit entry of its own (`customer.package`, `customer.whitelabel`,
`customer.ip_groups`, `customer.billing_date`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from gridreseller.db.repository import Repository
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Actor, CustomerPlan, CustomerRecord, Success
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.customers import Ownership, live_customer

NEEDS_IP_PACKAGE = (
    "package must include IP addresses while the customer has IP addresses of its own "
    "(take them away first)"
)


class SetPackage(NamedTuple):
    user: str
    package: str


class SetWhitelabel(NamedTuple):
    user: str
    whitelabel: str


class SetIpGroups(NamedTuple):
    user: str
    ip_group: list[str]
    ip: list[str]


class SetBillingDate(NamedTuple):
    user: str
    billing_date: date | None


async def view_plan(ctx: ServiceContext, actor: Actor, user: str) -> CustomerPlan:
    """This distributor's live customer's plan; "User not found" otherwise."""

    def look(repository: Repository) -> CustomerPlan:
        return repository.customer_plan(live_customer(repository, actor, user).id)

    return await ctx.uow.run_read(look)


Change = Callable[[Repository, CustomerRecord], dict[str, object]]


async def _change(ctx: ServiceContext, actor: Actor, user: str, action: str, make: Change) -> None:
    """One change of a live customer of this distributor, audited with what it set."""

    def change(repository: Repository) -> None:
        customer = live_customer(repository, actor, user)
        fields = make(repository, customer)
        repository.change_login(customer.id, ctx.clock())
        audit.record(repository, ctx, actor, action, customer.username, fields)

    await ctx.uow.run_write(change)


async def set_package(ctx: ServiceContext, actor: Actor, command: SetPackage) -> Success:
    """One of the distributor's packages; one without IP addresses only for a customer
    that has none of its own (`ip[]` is allowed only with a package that has_ip)."""

    def change(repository: Repository, customer: CustomerRecord) -> dict[str, object]:
        found = Ownership(repository, actor.account_id, {"package": command.package})
        if found.problems or found.package is None:
            raise Invalid(found.problems)
        if not found.package.has_ip and repository.customer_plan(customer.id).ips:
            raise Invalid([Problem("package", NEEDS_IP_PACKAGE)])
        repository.update_profile(customer.id, {"package_id": found.package.id})
        return {"package": command.package}

    await _change(ctx, actor, command.user, "customer.package", change)
    return Success()


async def set_whitelabel(ctx: ServiceContext, actor: Actor, command: SetWhitelabel) -> Success:
    def change(repository: Repository, customer: CustomerRecord) -> dict[str, object]:
        repository.update_profile(customer.id, {"whitelabel": command.whitelabel})
        return {"whitelabel": command.whitelabel}

    await _change(ctx, actor, command.user, "customer.whitelabel", change)
    return Success()


async def set_ip_groups(ctx: ServiceContext, actor: Actor, command: SetIpGroups) -> Success:
    """The customer's IP groups and addresses become those given (none: none), each of
    this distributor's; addresses only with a package that has_ip."""
    groups, ips = list(dict.fromkeys(command.ip_group)), list(dict.fromkeys(command.ip))

    def change(repository: Repository, customer: CustomerRecord) -> dict[str, object]:
        package = repository.customer_plan(customer.id).package
        values = {"package": package, "ip_group": groups, "ip": ips}
        found = Ownership(repository, actor.account_id, values)
        if found.problems:
            raise Invalid(found.problems)
        repository.replace_customer_ips(customer.id, found.groups.values(), found.ips.values())
        return {"ip_group": groups, "ip": ips}

    await _change(ctx, actor, command.user, "customer.ip_groups", change)
    return Success()


async def set_billing_date(ctx: ServiceContext, actor: Actor, command: SetBillingDate) -> Success:
    """From today (UTC) up to the same day of next month, as at creation; empty: none."""
    chosen = command.billing_date

    def change(repository: Repository, customer: CustomerRecord) -> dict[str, object]:
        repository.update_profile(customer.id, {"billing_date": chosen})
        return {"billing_date": chosen.isoformat() if chosen else None}

    await _change(ctx, actor, command.user, "customer.billing_date", change)
    return Success()
