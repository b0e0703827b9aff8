"""distributor.add and distributor.delete: creating and closing customer accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gridreseller.db.repository import Repository
from gridreseller.db.tables import CustomerProfile, IpAddress, IpGroup, Login, Package
from gridreseller.db.unit_of_work import UniqueViolation
from gridreseller.domain import rules
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, NotFound
from gridreseller.domain.models import Actor, LoginKind, Success
from gridreseller.domain.params import Params
from gridreseller.domain.rules import ErrorList
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext


@dataclass(frozen=True)
class NewCustomer:
    username: str
    password: str
    email: str
    profile: dict[str, str]
    package: str
    whitelabel: str
    ip_groups: list[str]
    ips: list[str]
    free_user: bool
    billing_date: date | None


async def add_customer(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """distributor.add: every error of the request at once, and nothing written on any."""
    errors = ErrorList()
    new = _validate_new(errors, params, ctx)
    password_hash = await ctx.hash_password(new.password) if new and not errors else ""

    def change(repository: Repository) -> None:
        groups, ips, package = _check_ownership(errors, repository, actor, params)
        username = _lookup_value(params.get("username"))
        if username and repository.username_taken(rules.username_key(username)):
            errors.add(USERNAME_TAKEN)
        errors.raise_if_any()
        assert new is not None and package is not None
        _insert(repository, ctx, actor, new, password_hash, package, groups, ips)
        audit.record(repository, ctx, actor, "customer.create", new.username, _audited(new))

    try:
        await ctx.uow.run_write(change)
    except UniqueViolation:
        raise Invalid([USERNAME_TAKEN]) from None
    return Success()


async def delete_customer(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """distributor.delete: soft delete; the username stays reserved forever."""
    user = required_user(params)

    def change(repository: Repository) -> None:
        customer = live_customer(repository, actor, user)
        now = ctx.clock()
        customer.deleted_at = now
        customer.updated_at = now
        repository.retire_credentials_of(customer.id, now)
        audit.record(repository, ctx, actor, "customer.delete", customer.username)

    await ctx.uow.run_write(change)
    return Success()


def live_customer(repository: Repository, actor: Actor, user: str) -> Login:
    """This distributor's live customer of that name; "User not found" otherwise."""
    customer = repository.customer_of(actor.account_id, user)
    if customer is None:
        raise NotFound()
    return customer


def user_param(errors: ErrorList, params: Params, *alternatives: str) -> str:
    """The `user` parameter (or the first alternative given); "" after an error on it."""
    for name in ("user", *alternatives):
        value = params.get(name)
        if value:
            if rules.has_illegal_characters(value):
                errors.add(f"{name} must not contain control characters")
                return ""
            return value
    errors.add("user is required")
    return ""


def required_user(params: Params, *alternatives: str) -> str:
    """The `user` parameter, or a 400 naming it."""
    errors = ErrorList()
    user = user_param(errors, params, *alternatives)
    errors.raise_if_any()
    return user


def _audited(new: NewCustomer) -> dict[str, object]:
    return {
        "email": new.email,
        **new.profile,
        "package": new.package,
        "whitelabel": new.whitelabel,
        "ip_group": new.ip_groups,
        "ip": new.ips,
        "free_user": new.free_user,
        "billing_date": new.billing_date.isoformat() if new.billing_date else None,
        "password": True,
    }


def _validate_new(errors: ErrorList, params: Params, ctx: ServiceContext) -> NewCustomer | None:
    values = params.values
    username = rules.username(errors, values, "username", 64)
    password = rules.password(errors, values, ctx.settings.min_password_length, confirm=True)
    email = rules.email(errors, values, "email", 64)
    profile = {
        name: rules.text(errors, values, name, limit)
        for name, limit in rules.PROFILE_LIMITS.items()
    }
    package = rules.text(errors, values, "package", 255)
    whitelabel = rules.text(errors, values, "whitelabel", 255)
    if whitelabel is not None and not rules.is_domain_name(whitelabel):
        errors.add("whitelabel must be a domain name")
    ip_groups = _array(errors, params, "ip_group")
    ips = _ip_array(errors, params)
    free_user = rules.boolean(errors, values, "free_user", default=False)
    billing = rules.billing_date(errors, values, ctx.clock().date())
    if errors:
        return None
    assert username and password and email and package and whitelabel
    return NewCustomer(
        username=username,
        password=password,
        email=email,
        profile={name: value for name, value in profile.items() if value is not None},
        package=package,
        whitelabel=whitelabel,
        ip_groups=ip_groups,
        ips=ips,
        free_user=free_user,
        billing_date=billing,
    )


def _array(errors: ErrorList, params: Params, name: str) -> list[str]:
    values = params.many(name)
    for value in values:
        problem = rules.text_problem(f"{name}[]", value, 255)
        if problem:
            errors.add(problem)
    return list(dict.fromkeys(values))


def _ip_array(errors: ErrorList, params: Params) -> list[str]:
    addresses: list[str] = []
    for value in params.many("ip"):
        if rules.is_ip_address(value):
            addresses.append(rules.canonical_ip(value))
        else:
            errors.add(f"ip[] must be a valid IP address: {value!r}"[:300])
    return list(dict.fromkeys(addresses))


def _lookup_value(value: str | None) -> str | None:
    """A value fit to look up: invalid ones were reported already, and PostgreSQL
    rejects NUL in any string it is sent."""
    return value if value and not rules.has_illegal_characters(value) else None


def _check_ownership(
    errors: ErrorList, repository: Repository, actor: Actor, params: Params
) -> tuple[list[IpGroup], list[IpAddress], Package | None]:
    """Package, IP groups and IPs must be this distributor's own."""
    package_name = _lookup_value(params.get("package"))
    package = repository.package_named(actor.account_id, package_name) if package_name else None
    if package_name and package is None:
        errors.add("package must be the name of one of your packages")
    group_names = [name for name in dict.fromkeys(params.many("ip_group")) if _lookup_value(name)]
    groups = repository.ip_groups_named(actor.account_id, group_names)
    for name in group_names:
        if name not in groups:
            errors.add(f"ip_group[] must name one of your IP groups: {name!r}"[:300])
    addresses = [rules.canonical_ip(a) for a in params.many("ip") if rules.is_ip_address(a)]
    ips = repository.ips_of(actor.account_id, addresses)
    for address in dict.fromkeys(addresses):
        if address not in ips:
            errors.add(f"ip[] must be one of your IP addresses: {address}")
    if addresses and package is not None and not package.has_ip:
        errors.add("ip[] is not allowed: the package does not include IP addresses")
    return list(groups.values()), list(ips.values()), package


def _insert(
    repository: Repository,
    ctx: ServiceContext,
    actor: Actor,
    new: NewCustomer,
    password_hash: str,
    package: Package,
    groups: list[IpGroup],
    ips: list[IpAddress],
) -> None:
    now = ctx.clock()
    login = Login(
        kind=LoginKind.CUSTOMER.value,
        username=new.username,
        username_key=rules.username_key(new.username),
        password_hash=password_hash,
        owner_id=actor.account_id,
        email=new.email,
        created_at=now,
        updated_at=now,
    )
    repository.add(login)
    repository.flush()
    repository.add(
        CustomerProfile(
            login_id=login.id,
            whitelabel=new.whitelabel,
            package_id=package.id,
            free_user=new.free_user,
            billing_date=new.billing_date,
            **new.profile,
        )
    )
    repository.assign_ips(login.id, groups, ips)
