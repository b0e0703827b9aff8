"""What the operator does from the shell (§10): distributors, packages, IPs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from gridreseller.db.repository import Repository
from gridreseller.domain import rules
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, Problem
from gridreseller.domain.fields import (
    Declaration,
    Email,
    Field,
    FieldProblem,
    NewUsername,
    ParseContext,
    Password,
    Text,
)
from gridreseller.domain.models import LoginKind
from gridreseller.domain.params import Params
from gridreseller.services.context import ServiceContext

# The operator's values need no date and no password minimum beyond the setting's.
OPERATOR_CONTEXT = ParseContext(min_password_length=0, today=date.min)


class NewDistributor(NamedTuple):
    username: str
    password: str
    email: str


NEW_DISTRIBUTOR = Declaration(
    NewDistributor,
    (
        Field("username", NewUsername(64), True),
        Field("password", Password(), True),
        Field("email", Email(100), True),
    ),
)


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
    params = Params.of(username=username, password=password, email=email)
    command = NEW_DISTRIBUTOR.parse(params, ctx.parse_context())
    password_hash = ctx.passwords.hash(command.password)
    with ctx.uow.write() as repository:
        key = rules.username_key(command.username)
        if repository.username_taken(key):
            raise Invalid([Problem("username", USERNAME_TAKEN)])
        now = ctx.clock()
        repository.create_login(
            {
                "kind": LoginKind.DISTRIBUTOR.value,
                "username": command.username,
                "username_key": key,
                "password_hash": password_hash,
                "email": command.email,
                "created_at": now,
                "updated_at": now,
            }
        )


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
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor)
        if repository.package_named(owner, spec.name) is not None:
            raise Invalid([f"package {spec.name!r} already exists for {distributor}"])
        values = {
            "name": spec.name,
            "description": spec.description,
            "credits": spec.credits,
            "has_ip": spec.has_ip,
            "has_reseller": spec.has_reseller,
            **amounts,
        }
        repository.create_package(owner, values)


def add_ips(ctx: ServiceContext, distributor: str, group: str, addresses: list[str]) -> None:
    """Creates the group if needed; an address may belong to one distributor only."""
    errors: list[Problem] = []
    _check_text(errors, "group", group, 255)
    bad = [a for a in addresses if not rules.is_ip_address(a)]
    errors.extend(Problem("address", f"not a valid IP address: {a!r}") for a in bad)
    if not addresses:
        errors.append(Problem("address", "at least one address is required"))
    if errors:
        raise Invalid(errors)
    with ctx.uow.write() as repository:
        owner = _distributor(repository, distributor)
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
        return _distributor(repository, username)


def _distributor(repository: Repository, username: str) -> int:
    found = repository.distributor_id(rules.username_key(username))
    if found is None:
        raise Invalid([f"no distributor named {username!r}"])
    return found


def _check_text(errors: list[Problem], name: str, value: str, max_length: int) -> None:
    try:
        Text(max_length).parse(name, value, OPERATOR_CONTEXT)
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
