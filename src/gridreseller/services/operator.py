"""What the operator does from the shell (docs/deployment.md): distributors, packages, IPs, backups.

Sync functions for the CLI's thread, on the unit of work's `read()`/`write()`; every
change after creation is audited with surface `cli`.
"""

from __future__ import annotations

import os
import pwd
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

from gridreseller.domain import field_rules, rules
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.field_rules import FieldProblem
from gridreseller.domain.models import Actor, LoginKind, Surface
from gridreseller.domain.records import (
    BackupCopy,
    DistributorRecord,
    DistributorSummary,
    IpSummary,
    NewLogin,
    PackageSummary,
)
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records

NOT_EMPTY = "must not be empty"
REQUIRED = "is required"
# A rule of domain/field_rules.py, given the field's name and its value.
Rule = Callable[[str, str], str]


@dataclass(frozen=True)
class PackageSpec:
    name: str
    price: str = "0"
    description: str = ""
    credits: int = 0
    overage: str = "0"
    has_ip: bool = False
    has_reseller: bool = False
    distributor_price: str = "0"


def create_distributor(ctx: ServiceContext, username: str, password: str, email: str) -> None:
    """Every problem of the three values together, in this order, under the rules of
    distributor.add's username, a new password and a contact address."""
    problems: list[Problem] = []
    _check(
        problems, "username", username, NOT_EMPTY, partial(field_rules.new_username, max_length=64)
    )
    _check(problems, "password", password, REQUIRED, _password_rule(ctx))
    _check(problems, "email", email, NOT_EMPTY, partial(field_rules.email, max_length=100))
    if problems:
        raise Invalid(problems)
    password_hash = ctx.passwords.hash(password)
    login = NewLogin(LoginKind.DISTRIBUTOR, username, password_hash, ctx.clock(), email=email)
    with ctx.uow.write() as repository:
        # A taken name is the username constraint's to say (create_login's guard).
        repository.create_login(login)


def bootstrap_admin(ctx: ServiceContext) -> tuple[str, str] | None:
    """On an empty database, an `admin` distributor with a random password."""
    with ctx.uow.read() as repository:
        if repository.any_distributor():
            return None
    password = secrets.token_urlsafe(18)
    try:
        create_distributor(ctx, "admin", password, "admin@localhost.localdomain")
    except Invalid:
        return None  # another process got there first
    return "admin", password


def package_values(spec: PackageSpec) -> dict[str, object]:
    """A new package's columns, or Invalid with every problem of the spec (the rules of
    the command line and the dashboard alike)."""
    errors: list[Problem] = []
    _check_text(errors, "name", spec.name, 255)
    if spec.description:
        _check_text(errors, "description", spec.description, 10_000)
    amounts = {
        field: _amount(errors, field, getattr(spec, field))
        for field in ("price", "overage", "distributor_price")
    }
    if spec.credits < 0:
        errors.append(Problem("credits", "credits must not be negative"))
    if errors:
        raise Invalid(errors)
    return {
        "name": spec.name,
        "description": spec.description,
        "credits": spec.credits,
        "has_ip": spec.has_ip,
        "has_reseller": spec.has_reseller,
        **amounts,
    }


def create_package(ctx: ServiceContext, distributor: str, spec: PackageSpec) -> None:
    values = package_values(spec)
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor).id
        if repository.package_named(owner, spec.name) is not None:
            raise Invalid([f"package {spec.name!r} already exists for {distributor}"])
        repository.create_package(owner, values)


def add_ips(ctx: ServiceContext, distributor: str, group: str, addresses: list[str]) -> None:
    """Creates the group if needed; an address may belong to one distributor only."""
    errors: list[Problem] = []
    _check_text(errors, "group", group, 255)
    errors += address_problems(addresses)
    if errors:
        raise Invalid(errors)
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor).id
        group_id = repository.ip_groups_named(owner, [group]).get(group)
        if group_id is None:
            group_id = repository.create_ip_group(owner, group)
        for address in dict.fromkeys(rules.canonical_ip(a) for a in addresses):
            existing = repository.ip_group_of_address(address)
            if existing is None:
                repository.add_ip(group_id, address)
            elif existing != group_id:
                raise Invalid([f"{address} already belongs to another IP group"])


def distributor_id(ctx: ServiceContext, username: str) -> int:
    """The distributor of that name (for the CLI's filters), or Invalid."""
    with ctx.uow.read() as repository:
        return _distributor(repository, username).id


def _distributor(repository: Records, username: str) -> DistributorRecord:
    found = repository.distributor_named(rules.username_key(username))
    if found is None:
        raise Invalid([f"no distributor named {username!r}"])
    return found


def address_problems(addresses: list[str]) -> list[Problem]:
    problems = [
        Problem("address", f"not a valid IP address: {a!r}")
        for a in addresses
        if not rules.is_ip_address(a)
    ]
    if not addresses:
        problems.append(Problem("address", "at least one address is required"))
    return problems


def _check_addresses(addresses: list[str]) -> None:
    problems = address_problems(addresses)
    if problems:
        raise Invalid(problems)


def _check(problems: list[Problem], name: str, raw: str, empty: str, rule: Rule) -> None:
    """`rule`'s problem with a value, or `empty`'s when there is none."""
    if raw == "":
        problems.append(Problem(name, f"{name} {empty}"))
        return
    try:
        rule(name, raw)
    except FieldProblem as problem:
        problems.append(Problem(name, str(problem)))


def _password_rule(ctx: ServiceContext) -> Rule:
    return partial(field_rules.password, min_length=ctx.parse_context().min_password_length)


def _check_text(errors: list[Problem], name: str, value: str, max_length: int) -> None:
    try:
        field_rules.text(name, value, max_length)
    except FieldProblem as problem:
        errors.append(Problem(name, str(problem)))
    if value == "":
        errors.append(Problem(name, f"{name} must not be empty"))


def _amount(errors: list[Problem], field: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append(Problem(field, f"{field} must be a number"))
        return Decimal(0)
    if not value.is_finite() or value < 0:
        errors.append(Problem(field, f"{field} must be a non-negative number"))
        return Decimal(0)
    return value


# docs/deployment.md: what the operator sees and changes -------------------------------------------

OPERATOR = "operator"


def distributors(ctx: ServiceContext) -> list[DistributorSummary]:
    """Every distributor: username, email, enabled or not, live customers (never a hash)."""
    with ctx.uow.read() as repository:
        return repository.distributor_summaries()


def set_distributor_password(ctx: ServiceContext, username: str, password: str) -> None:
    """A new password: cached logins and open sessions of the old one stop working."""
    problems: list[Problem] = []
    _check(problems, "password", password, REQUIRED, _password_rule(ctx))
    if problems:
        raise Invalid(problems)
    password_hash = ctx.passwords.hash(password)
    with ctx.uow.write() as repository:
        login = _distributor(repository, username)
        repository.change_login(login.id, ctx.clock(), password_hash=password_hash)
        _record(repository, ctx, login, "distributor.set_password", {"password": True})


def set_distributor_enabled(ctx: ServiceContext, username: str, enabled: bool) -> bool:
    """docs/deployment.md disable/enable (the access core refuses a disabled distributor and its
    credentials everywhere; its customers keep working); False if it already was."""
    with ctx.uow.write() as repository:
        login = _distributor(repository, username)
        if login.active == enabled:
            return False
        repository.change_login(login.id, ctx.clock(), active=enabled)
        action = "distributor.enable" if enabled else "distributor.disable"
        _record(repository, ctx, login, action)
    return True


def packages(ctx: ServiceContext, distributor: str | None) -> list[PackageSummary]:
    with ctx.uow.read() as repository:
        owner = _distributor(repository, distributor) if distributor else None
        return repository.package_summaries(owner.id if owner else None)


def delete_package(ctx: ServiceContext, distributor: str, name: str) -> None:
    """Refused while a live customer has the package."""
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor)
        package = repository.package_named(owner.id, name)
        if package is None:
            raise Invalid([f"{distributor} has no package named {name!r}"])
        refuse_if_used(f"package {name!r}", repository.live_customers_on_package(package.id))
        profiles = repository.delete_package(package.id)
        fields: dict[str, object] = {"deleted_customer_profiles": profiles}
        _record(repository, ctx, owner, "package.delete", fields, name)


def ip_addresses(ctx: ServiceContext, distributor: str | None) -> list[IpSummary]:
    with ctx.uow.read() as repository:
        owner = _distributor(repository, distributor) if distributor else None
        return repository.ip_summaries(owner.id if owner else None)


def remove_ips(ctx: ServiceContext, distributor: str, addresses: list[str]) -> None:
    """Refused while a live customer has one of them."""
    _check_addresses(addresses)
    canonical = list(dict.fromkeys(rules.canonical_ip(a) for a in addresses))
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor)
        found = repository.ips_of(owner.id, canonical)
        missing = [a for a in canonical if a not in found]
        if missing:
            raise Invalid([f"{a} is not one of {distributor}'s addresses" for a in missing])
        ids = list(found.values())
        refuse_if_used(", ".join(canonical), repository.live_customers_on_ips(ids))
        repository.delete_ips(ids)
        _record(repository, ctx, owner, "ip.remove", {"addresses": canonical})


def remove_ip_group(ctx: ServiceContext, distributor: str, group: str) -> None:
    """The group and its addresses; refused while a live customer has the group."""
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor)
        group_id = repository.ip_groups_named(owner.id, [group]).get(group)
        if group_id is None:
            raise Invalid([f"{distributor} has no IP group named {group!r}"])
        addresses = [row.address for row in repository.ip_summaries(owner.id) if row.group == group]
        refuse_if_used(f"IP group {group!r}", repository.live_customers_on_ip_group(group_id))
        repository.delete_ip_group(group_id)
        _record(repository, ctx, owner, "ip_group.remove", {"addresses": addresses}, group)


def refuse_if_used(what: str, customers: list[str]) -> None:
    if customers:
        shown = ", ".join(customers[:5]) + (", ..." if len(customers) > 5 else "")
        count = f"{len(customers)} live customer" + ("s" if len(customers) > 1 else "")
        raise Invalid([f"{what} is in use by {count} ({shown})"])


def _record(
    repository: Records,
    ctx: ServiceContext,
    distributor: DistributorRecord,
    action: str,
    fields: dict[str, object] | None = None,
    target: str | None = None,
) -> None:
    """An audit event in the distributor's tenant, made by the operator at the shell."""
    actor = Actor(
        account_id=distributor.id,
        account_kind=LoginKind.DISTRIBUTOR,
        login_username=OPERATOR,
        client=_shell_user(),
        tenant_id=distributor.id,
        surface=Surface.CLI,
    )
    audit.record(repository, ctx, actor, action, target or distributor.username, fields)


def _shell_user() -> str:
    """Who ran the command, by the process's user id (the audit's "client")."""
    try:
        return f"local:{pwd.getpwuid(os.geteuid()).pw_name}"
    except KeyError:
        return f"local:uid {os.geteuid()}"


def backup(ctx: ServiceContext, target: Path) -> BackupCopy:
    """docs/deployment.md: a consistent online copy of a SQLite database; PostgreSQL has pg_dump."""
    url = ctx.uow.pg_dump_url()
    if url is not None:
        raise Invalid(
            [
                "backup --to copies SQLite databases; for PostgreSQL use pg_dump:"
                f" pg_dump --format=custom --file={target} '{url}' (docs/deployment.md)"
            ]
        )
    return ctx.uow.copy_sqlite(target)
