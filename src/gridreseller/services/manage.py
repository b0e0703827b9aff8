"""distributor.manage: one function per method/task of the contract's §6."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from functools import partial
from itertools import islice

from gridreseller.db.repository import CustomerRow, Repository
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
from gridreseller.services.customers import live_customer, required_user, user_param

Action = Callable[[ServiceContext, Actor, Params], Awaitable[Result]]

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


async def manage(ctx: ServiceContext, actor: Actor, params: Params) -> Result:
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
        return await action(ctx, actor, params)
    action = METHODS.get(method)
    if action is None:
        raise Invalid([f"method must be one of profile, {', '.join(METHODS)}"])
    return await action(ctx, actor, params)


# profile get ------------------------------------------------------------------

BATCH = 500
FIELD_INDEX = {name: index for index, name in enumerate(CUSTOMER_FIELDS)}
FLAG_INDEXES = (FIELD_INDEX["active"], FIELD_INDEX["website_access"])


async def list_customers(ctx: ServiceContext, actor: Actor, params: Params) -> CustomerList:
    """profile get: validated now; rows in username order, streamed while sent."""
    errors = ErrorList()
    filters = _text_filters(errors, params)
    active = _active_filter(errors, params)
    limit = rules.non_negative_int(errors, params.values, "limit")
    offset = rules.non_negative_int(errors, params.values, "offset")
    errors.raise_if_any()
    page = _Page(filters, active, limit, offset)
    username = params.get("username")
    if username:
        key = rules.username_key(username)
        rows = await ctx.uow.run_read(lambda r: r.customer_row(actor.account_id, key))
        return CustomerList(page.views(rows))
    batches = ctx.uow.stream(partial(page.produce, actor.account_id))
    return CustomerList(await anext(batches, []), batches)


class _Page:
    """Which rows a profile get returns: filters, then offset and limit."""

    def __init__(
        self, filters: dict[str, str], active: bool | None, limit: int | None, offset: int | None
    ) -> None:
        self.filters = filters
        self.active = active
        self.limit = limit
        self.offset = offset

    @property
    def filtered(self) -> bool:
        return bool(self.filters) or self.active is not None

    def produce(self, distributor_id: int, repository: Repository) -> Iterator[list[CustomerView]]:
        # Paging is pushed into SQL unless rows are also filtered here.
        in_sql = not self.filtered
        batches = repository.stream_customers(
            distributor_id,
            limit=self.limit if in_sql else None,
            offset=self.offset if in_sql else None,
            batch=BATCH,
        )
        if in_sql:
            return ([_view(row) for row in rows] for rows in batches)
        return self.select(batches)

    def views(self, rows: list[CustomerRow]) -> list[CustomerView]:
        """The page of a few rows, all in hand."""
        if not self.filtered and not self.offset and self.limit is None:
            return [_view(row) for row in rows]
        return [view for batch in self.select([rows]) for view in batch]

    def select(self, batches: Iterable[list[CustomerRow]]) -> Iterator[list[CustomerView]]:
        rows = (row for batch in batches for row in batch if self._matches(row))
        start = self.offset or 0
        stop = None if self.limit is None else start + self.limit
        views = (_view(row) for row in islice(rows, start, stop))
        while batch := list(islice(views, BATCH)):
            yield batch

    def _matches(self, row: CustomerRow) -> bool:
        if self.active is not None and bool(row[FIELD_INDEX["active"]]) != self.active:
            return False
        return all(
            (row[FIELD_INDEX[name]] or "").casefold() == wanted
            for name, wanted in self.filters.items()
        )


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


def _view(row: CustomerRow) -> CustomerView:
    values = [value or "" for value in row]
    for index in FLAG_INDEXES:
        values[index] = "true" if row[index] else "false"
    return tuple(values)


# profile set / setUsername / setEmail ----------------------------------------------


async def set_profile(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
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

    def change(repository: Repository) -> None:
        customer = live_customer(repository, actor, user)
        profile = repository.profile(customer.id)
        for name, value in changes.items():
            setattr(profile, name, value)
        customer.updated_at = ctx.clock()
        audit.record(repository, ctx, actor, "customer.profile", customer.username, changes)

    await ctx.uow.run_write(change)
    return Success()


async def set_username(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """profile setUsername: takes effect at once; the old name becomes free."""
    errors = ErrorList()
    new_name = rules.email_username(errors, params.values, "username", 100)
    if new_name and rules.is_reserved_domain(
        rules.email_domain(new_name), ctx.settings.reserved_domains
    ):
        errors.add("username must not use a reserved domain")
    user = user_param(errors, params)
    errors.raise_if_any()
    assert new_name is not None
    key = rules.username_key(new_name)

    def change(repository: Repository) -> None:
        customer = live_customer(repository, actor, user)
        if key != customer.username_key and repository.username_taken(key):
            raise Invalid([USERNAME_TAKEN])
        audit.record(
            repository, ctx, actor, "customer.username", customer.username, {"username": new_name}
        )
        customer.username = new_name
        customer.username_key = key
        customer.updated_at = ctx.clock()

    try:
        await ctx.uow.run_write(change)
    except UniqueViolation:
        raise Invalid([USERNAME_TAKEN]) from None
    return Success()


async def set_email(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """profile setEmail: the contact address only; logins are unaffected."""
    errors = ErrorList()
    email = rules.email(errors, params.values, "email", 100)
    user = user_param(errors, params)
    errors.raise_if_any()

    def change(repository: Repository) -> None:
        customer = live_customer(repository, actor, user)
        customer.email = email
        customer.updated_at = ctx.clock()
        audit.record(repository, ctx, actor, "customer.email", customer.username, {"email": email})

    await ctx.uow.run_write(change)
    return Success()


# password, auth ---------------------------------------------------------------------


async def reset_password(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """password: the old password stops working at once."""
    errors = ErrorList()
    password = rules.password(errors, params.values, ctx.settings.min_password_length, confirm=True)
    user = user_param(errors, params)
    errors.raise_if_any()
    assert password is not None
    await ctx.uow.run_read(lambda r: live_customer(r, actor, user))  # unknown: no hashing
    password_hash = await ctx.hash_password(password)

    def change(repository: Repository) -> None:
        customer = live_customer(repository, actor, user)
        customer.password_hash = password_hash
        customer.updated_at = ctx.clock()
        audit.record(
            repository, ctx, actor, "customer.password", customer.username, {"password": True}
        )

    await ctx.uow.run_write(change)
    return Success()


async def authenticate_customer(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """auth: success when `password` is the customer's; a wrong one is a 400."""
    errors = ErrorList()
    user = user_param(errors, params)
    password = params.get("password")
    if not password:
        errors.add("password is required")
    errors.raise_if_any()
    stored = await ctx.uow.run_read(lambda r: live_customer(r, actor, user).password_hash)
    if not await ctx.verify_password(stored, password or ""):
        raise Invalid(["password is incorrect"])
    return Success()


# enable / disable / website_enable / website_disable ------------------------------


def _flag_setter(action: str, column: str, value: bool, *aliases: str) -> Action:
    async def set_flag(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
        user = required_user(params, *aliases)

        def change(repository: Repository) -> None:
            found = repository.set_customer_flag(actor.account_id, user, column, value, ctx.clock())
            if not found:
                raise NotFound(bare=True)
            audit.record(repository, ctx, actor, action, user, {column: value})

        await ctx.uow.run_write(change)
        return Success()

    return set_flag


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
