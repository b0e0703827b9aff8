"""distributor.manage: one function per method/task of the contract's §6."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice

from gridreseller.db.repository import CustomerRow, Repository
from gridreseller.db.tables import Login
from gridreseller.db.unit_of_work import UniqueViolation
from gridreseller.domain import rules
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, NotFound
from gridreseller.domain.models import (
    CUSTOMER_FIELDS,
    Actor,
    CustomerList,
    CustomerView,
    Result,
    Success,
)
from gridreseller.domain.params import Params
from gridreseller.domain.rules import ErrorList
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.customers import required_user, user_param

Action = Callable[[ServiceContext, Actor, Params], Result]

TEXT_FILTERS = (
    "email",
    "first_name",
    "last_name",
    "address",
    "city",
    "state",
    "country",
    "zip",
    "phone",
    "website",
    "company",
)


def manage(ctx: ServiceContext, actor: Actor, params: Params) -> Result:
    """Dispatch on `method` (and `task` for profile); unknown ones are a 400."""
    method = params.get("method")
    if not method:
        raise Invalid(["method is required"])
    if method == "profile":
        task = params.get("task")
        if not task:
            raise Invalid(["task is required"])
        action = PROFILE_TASKS.get(task)
        if action is None:
            raise Invalid([f"task must be one of {', '.join(PROFILE_TASKS)}"])
        return action(ctx, actor, params)
    action = METHODS.get(method)
    if action is None:
        raise Invalid([f"method must be one of profile, {', '.join(METHODS)}"])
    return action(ctx, actor, params)


# profile get ------------------------------------------------------------------


def list_customers(ctx: ServiceContext, actor: Actor, params: Params) -> CustomerList:
    """profile get: validated now, rows streamed later in username order."""
    errors = ErrorList()
    filters = _text_filters(errors, params)
    active = _active_filter(errors, params)
    limit = rules.non_negative_int(errors, params.values, "limit")
    offset = rules.non_negative_int(errors, params.values, "offset")
    errors.raise_if_any()
    username = params.get("username")
    key = rules.username_key(username) if username else None
    # Paging is pushed into SQL unless rows are also filtered here.
    in_python = bool(filters) or active is not None or key is not None

    def produce(repository: Repository) -> Iterator[CustomerView]:
        rows = repository.stream_customers(
            actor.account_id,
            username_key=key,
            limit=None if in_python else limit,
            offset=None if in_python else offset,
        )
        views: Iterator[CustomerView] = (
            _view(row) for row in rows if _matches(row, filters, active)
        )
        if in_python:
            stop = None if limit is None else (offset or 0) + limit
            views = islice(views, offset or 0, stop)
        yield from views

    return CustomerList(rows=ctx.uow.stream(produce))


def _text_filters(errors: ErrorList, params: Params) -> dict[str, str]:
    filters: dict[str, str] = {}
    for name in ("username", *TEXT_FILTERS):
        value = params.get(name)
        if value is None or value == "":
            continue
        if rules.has_illegal_characters(value):
            errors.add(f"{name} must not contain control characters")
        elif name != "username":
            filters[name] = value.casefold()
    return filters


def _active_filter(errors: ErrorList, params: Params) -> bool | None:
    raw = params.get("active")
    if raw is None or raw == "":
        return None
    parsed = rules.parse_bool(raw)
    if parsed is None:
        errors.add("active must be true, false, 1 or 0")
    return parsed


def _matches(row: CustomerRow, filters: dict[str, str], active: bool | None) -> bool:
    fields = row._mapping
    if active is not None and bool(fields["active"]) != active:
        return False
    return all((fields[name] or "").casefold() == wanted for name, wanted in filters.items())


def _view(row: CustomerRow) -> CustomerView:
    fields = row._mapping
    return CustomerView(
        fields=tuple(
            (name, _flag(fields[name]) if name in FLAGS else fields[name] or "")
            for name in CUSTOMER_FIELDS
        )
    )


FLAGS = frozenset({"active", "website_access"})


def _flag(value: object) -> str:
    return "true" if value else "false"


# profile set / setUsername / setEmail ----------------------------------------------


def set_profile(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """profile set: at least one field, each under the same limits as add."""
    errors = ErrorList()
    changes: dict[str, str] = {}
    for name, limit in rules.PROFILE_LIMITS.items():
        if name in params.values:
            value = rules.text(errors, params.values, name, limit)
            if value is not None:
                changes[name] = value
    if not errors and not changes:
        errors.add(f"at least one of {', '.join(rules.PROFILE_LIMITS)} is required")
    user = user_param(errors, params)
    errors.raise_if_any()
    with ctx.uow.write() as repository:
        customer = _customer(repository, actor, user)
        profile = repository.profile(customer.id)
        for name, value in changes.items():
            setattr(profile, name, value)
        customer.updated_at = ctx.clock()
        audit.record(repository, ctx, actor, "customer.profile", customer.username, changes)
    return Success()


def set_username(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """profile setUsername: takes effect at once; the old name becomes free."""
    errors = ErrorList()
    new_name = rules.email(errors, params.values, "username", 100)
    if new_name and rules.is_reserved_domain(
        rules.email_domain(new_name), ctx.settings.reserved_domains
    ):
        errors.add("username must not use a reserved domain")
    user = user_param(errors, params)
    errors.raise_if_any()
    assert new_name is not None
    key = rules.username_key(new_name)
    try:
        with ctx.uow.write() as repository:
            customer = _customer(repository, actor, user)
            if key != customer.username_key and repository.username_taken(key):
                raise Invalid([USERNAME_TAKEN])
            audit.record(
                repository,
                ctx,
                actor,
                "customer.username",
                customer.username,
                {"username": new_name},
            )
            customer.username = new_name
            customer.username_key = key
            customer.updated_at = ctx.clock()
    except UniqueViolation:
        raise Invalid([USERNAME_TAKEN]) from None
    return Success()


def set_email(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """profile setEmail: the contact address only; logins are unaffected."""
    errors = ErrorList()
    email = rules.email(errors, params.values, "email", 100)
    user = user_param(errors, params)
    errors.raise_if_any()
    with ctx.uow.write() as repository:
        customer = _customer(repository, actor, user)
        customer.email = email
        customer.updated_at = ctx.clock()
        audit.record(repository, ctx, actor, "customer.email", customer.username, {"email": email})
    return Success()


# password, auth ---------------------------------------------------------------------


def reset_password(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """password: the old password stops working at once."""
    errors = ErrorList()
    password = rules.password(errors, params.values, ctx.settings.min_password_length, confirm=True)
    user = user_param(errors, params)
    errors.raise_if_any()
    assert password is not None
    with ctx.uow.read() as repository:
        _customer(repository, actor, user)  # an unknown user costs no hashing
    password_hash = ctx.passwords.hash(password)
    with ctx.uow.write() as repository:
        customer = _customer(repository, actor, user)
        customer.password_hash = password_hash
        customer.updated_at = ctx.clock()
        audit.record(
            repository, ctx, actor, "customer.password", customer.username, {"password": True}
        )
    return Success()


def authenticate_customer(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """auth: success when `password` is the customer's; a wrong one is a 400."""
    errors = ErrorList()
    user = user_param(errors, params)
    password = params.get("password")
    if not password:
        errors.add("password is required")
    errors.raise_if_any()
    with ctx.uow.read() as repository:
        stored = _customer(repository, actor, user).password_hash
    if not ctx.passwords.verify(stored, password or ""):
        raise Invalid(["password is incorrect"])
    return Success()


# enable / disable / website_enable / website_disable ------------------------------


def _flag_setter(action: str, column: str, value: bool, *aliases: str) -> Action:
    def set_flag(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
        user = required_user(params, *aliases)
        with ctx.uow.write() as repository:
            found = repository.set_customer_flag(actor.account_id, user, column, value, ctx.clock())
            if not found:
                raise NotFound(bare=True)
            audit.record(repository, ctx, actor, action, user, {column: value})
        return Success()

    return set_flag


# helpers -------------------------------------------------------------------------------


def _customer(repository: Repository, actor: Actor, user: str) -> Login:
    customer = repository.customer_of(actor.account_id, user)
    if customer is None:
        raise NotFound()
    return customer


PROFILE_TASKS: dict[str, Action] = {
    "get": list_customers,
    "set": set_profile,
    "setUsername": set_username,
    "setEmail": set_email,
}

METHODS: dict[str, Action] = {
    "password": reset_password,
    "enable": _flag_setter("customer.enable", "active", True),
    "disable": _flag_setter("customer.disable", "active", False, "username"),
    "website_enable": _flag_setter("customer.website_enable", "website_access", True),
    "website_disable": _flag_setter("customer.website_disable", "website_access", False),
    "auth": authenticate_customer,
}
