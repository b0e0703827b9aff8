"""distributor.add and distributor.delete: creating and closing customer accounts (docs/api.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from gridreseller.domain import rules
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, NotFound, Problem
from gridreseller.domain.models import Actor, CustomerRecord, LoginKind, PackageRecord, Success
from gridreseller.domain.records import NewLogin
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records


class AddCustomer(NamedTuple):
    username: str
    password: str
    confirm_password: str
    email: str
    first_name: str
    last_name: str
    address: str
    city: str
    state: str
    zip: str
    country: str
    phone: str
    website: str
    company: str
    package: str
    whitelabel: str
    ip_group: list[str]
    ip: list[str]
    free_user: bool
    billing_date: date | None

    @property
    def profile(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in rules.PROFILE_LIMITS}


class DeleteCustomer(NamedTuple):
    user: str


async def add_customer(ctx: ServiceContext, actor: Actor, command: AddCustomer) -> Success:
    """distributor.add: nothing is written unless everything is right."""
    password_hash = await ctx.hash_password(command.password)

    def change(repository: Records) -> None:
        package, group_ids, ip_ids = _owned(repository, actor, command)
        login = NewLogin(
            LoginKind.CUSTOMER,
            command.username,
            password_hash,
            ctx.clock(),
            owner_id=actor.account_id,
            email=command.email,
        )
        customer_id = repository.create_login(login)
        profile = {
            **command.profile,
            "whitelabel": command.whitelabel,
            "package_id": package.id,
            "free_user": command.free_user,
            "billing_date": command.billing_date,
        }
        repository.create_customer_profile(customer_id, profile, group_ids, ip_ids)
        audit.record(repository, ctx, actor, "customer.create", command.username, _audited(command))

    await ctx.uow.run_write(change)
    return Success()


async def delete_customer(ctx: ServiceContext, actor: Actor, command: DeleteCustomer) -> Success:
    """distributor.delete: soft delete; the username stays reserved forever."""

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        repository.delete_customer(customer.id, ctx.clock())
        audit.record(repository, ctx, actor, "customer.delete", customer.username)

    await ctx.uow.run_write(change)
    return Success()


def live_customer(repository: Records, actor: Actor, user: str) -> CustomerRecord:
    """This distributor's live customer of that name; "User not found" otherwise."""
    customer = repository.customer_of(actor.account_id, rules.username_key(user))
    if customer is None:
        raise NotFound()
    return customer


def _owned(
    repository: Records, actor: Actor, command: AddCustomer
) -> tuple[PackageRecord, list[int], list[int]]:
    """The package, IP groups and IPs must be this distributor's own, and the username
    free: every problem of these together."""
    found = Ownership(repository, actor.account_id, command._asdict())
    if found.problems or found.package is None:
        raise Invalid(found.problems)
    return found.package, list(found.groups.values()), list(found.ips.values())


async def add_customer_problems(
    ctx: ServiceContext, actor: Actor, values: Mapping[str, Any]
) -> list[Problem]:
    """add_customer's checks against stored data, on what parsed of a request that did
    not all parse (`values`: an AddCustomer's attributes, some left out), so that every
    problem of the request is reported together."""
    return await ctx.uow.run_read(lambda r: Ownership(r, actor.account_id, values).problems)


class Ownership:
    """Looks up a new customer's package, IP groups and IPs (of the values given), and
    whether its username is free."""

    def __init__(self, repository: Records, distributor_id: int, values: Mapping[str, Any]):
        self.problems: list[Problem] = []
        name = values.get("package")
        self.package = repository.package_named(distributor_id, name) if name else None
        if name and self.package is None:
            self._problem("package", "package must be the name of one of your packages")
        group_names: list[str] = values.get("ip_group") or []
        self.groups = repository.ip_groups_named(distributor_id, group_names)
        for group in group_names:
            if group not in self.groups:
                self._problem("ip_group", f"ip_group[] must name one of your IP groups: {group!r}")
        addresses: list[str] = values.get("ip") or []
        self.ips = repository.ips_of(distributor_id, addresses)
        for address in addresses:
            if address not in self.ips:
                self._problem("ip", f"ip[] must be one of your IP addresses: {address}")
        if addresses and self.package is not None and not self.package.has_ip:
            self._problem("ip", "ip[] is not allowed: the package does not include IP addresses")
        username = values.get("username")
        if username and repository.username_taken(rules.username_key(username)):
            self._problem("username", USERNAME_TAKEN)

    def _problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message[:300]))


def _audited(command: AddCustomer) -> dict[str, object]:
    return {
        "email": command.email,
        **command.profile,
        "package": command.package,
        "whitelabel": command.whitelabel,
        "ip_group": command.ip_group,
        "ip": command.ip,
        "free_user": command.free_user,
        "billing_date": command.billing_date.isoformat() if command.billing_date else None,
        "password": True,
    }
