"""What the operator does from the shell (§10): distributors, packages, IPs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gridreseller.db.repository import Repository
from gridreseller.db.tables import IpAddress, IpGroup, Login, Package
from gridreseller.db.unit_of_work import UniqueViolation
from gridreseller.domain import rules
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid
from gridreseller.domain.models import LoginKind
from gridreseller.domain.rules import ErrorList
from gridreseller.services.context import ServiceContext


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
    errors = ErrorList()
    values = {"username": username, "password": password, "email": email}
    rules.username(errors, values, "username", 64)
    rules.password(errors, values, ctx.settings.min_password_length, confirm=False)
    rules.email(errors, values, "email", 100)
    errors.raise_if_any()
    password_hash = ctx.passwords.hash(password)
    try:
        with ctx.uow.write() as repository:
            if repository.username_taken(rules.username_key(username)):
                raise Invalid([USERNAME_TAKEN])
            now = ctx.clock()
            repository.add(
                Login(
                    kind=LoginKind.DISTRIBUTOR.value,
                    username=username,
                    username_key=rules.username_key(username),
                    password_hash=password_hash,
                    email=email,
                    created_at=now,
                    updated_at=now,
                )
            )
    except UniqueViolation:
        raise Invalid([USERNAME_TAKEN]) from None


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


def create_package(ctx: ServiceContext, distributor: str, spec: PackageSpec) -> None:
    errors = ErrorList()
    rules.text(errors, {"name": spec.name}, "name", 255)
    if spec.description:
        rules.text(errors, {"description": spec.description}, "description", 10_000)
    amounts = {
        field: _amount(errors, field, getattr(spec, field))
        for field in ("price", "overage", "distributor_price")
    }
    if spec.credits < 0:
        errors.add("credits must not be negative")
    errors.raise_if_any()
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor)
        if repository.package_named(owner.id, spec.name) is not None:
            raise Invalid([f"package {spec.name!r} already exists for {distributor}"])
        repository.add(
            Package(
                distributor_id=owner.id,
                name=spec.name,
                description=spec.description,
                credits=spec.credits,
                has_ip=spec.has_ip,
                has_reseller=spec.has_reseller,
                **amounts,
            )
        )


def add_ips(ctx: ServiceContext, distributor: str, group: str, addresses: list[str]) -> None:
    """Creates the group if needed; an address may belong to one distributor only."""
    errors = ErrorList()
    rules.text(errors, {"group": group}, "group", 255)
    bad = [a for a in addresses if not rules.is_ip_address(a)]
    errors.messages.extend(f"not a valid IP address: {a!r}" for a in bad)
    if not addresses:
        errors.add("at least one address is required")
    errors.raise_if_any()
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor)
        ip_group = repository.ip_group(owner.id, group)
        if ip_group is None:
            ip_group = IpGroup(distributor_id=owner.id, name=group)
            repository.add(ip_group)
            repository.flush()
        for address in dict.fromkeys(rules.canonical_ip(a) for a in addresses):
            existing = repository.ip_by_address(address)
            if existing is None:
                repository.add(IpAddress(group_id=ip_group.id, address=address))
            elif existing.group_id != ip_group.id:
                raise Invalid([f"{address} already belongs to another IP group"])


def _distributor(repository: Repository, username: str) -> Login:
    login = repository.distributor(username)
    if login is None:
        raise Invalid([f"no distributor named {username!r}"])
    return login


def _amount(errors: ErrorList, field: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(f"{field} must be a number")
        return Decimal(0)
    if not value.is_finite() or value < 0:
        errors.add(f"{field} must be a non-negative number")
        return Decimal(0)
    return value
