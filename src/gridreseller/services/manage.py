"""distributor.manage: one operation per method (and task) of docs/api.md."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from typing import NamedTuple

from gridreseller.domain import rules
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, NotFound, Problem
from gridreseller.domain.models import CUSTOMER_FIELDS, Actor, CustomerList, CustomerView, Success
from gridreseller.domain.records import KEY_COLUMN, CustomerFlag, CustomerRow
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.customers import live_customer
from gridreseller.services.storage import Records, ServiceTransactions

NO_PROFILE_FIELD = f"at least one of {', '.join(rules.PROFILE_LIMITS)} is required"
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

# profile get ------------------------------------------------------------------


class ListCustomers(NamedTuple):
    username: str | None
    email: str | None
    first_name: str | None
    last_name: str | None
    address: str | None
    city: str | None
    state: str | None
    country: str | None
    zip: str | None
    phone: str | None
    website: str | None
    company: str | None
    active: bool | None
    limit: int | None
    offset: int | None

    @property
    def filters(self) -> dict[str, str]:
        """Text filters given, casefolded: matched exactly, in any case."""
        given = {name: getattr(self, name) for name in TEXT_FILTERS}
        return {name: value.casefold() for name, value in given.items() if value}


# Every field of a ListCustomers but `username` left out: no filter, no paging.
ALL_ROWS = (None,) * (len(ListCustomers._fields) - 1)
BATCH = 500
FIELD_INDEX = {name: index for index, name in enumerate(CUSTOMER_FIELDS)}
FLAG_INDEXES = (FIELD_INDEX["active"], FIELD_INDEX["website_access"])
FIELD_COUNT = len(CUSTOMER_FIELDS)


async def list_customers(ctx: ServiceContext, actor: Actor, command: ListCustomers) -> CustomerList:
    """profile get: rows in username order, fetched a batch at a time while they are sent."""
    if command.username:
        key = rules.username_key(command.username)
        rows = await ctx.uow.run_read(lambda r: r.customer_row(actor.account_id, key))
        if command == ListCustomers(command.username, *ALL_ROWS):  # the common lookup
            return CustomerList([_view(row) for row in rows])
        page = _Page(command)
        return CustomerList(page.select(rows, skip=command.offset or 0)[: page.stop])
    page = _Page(command)
    batches = page.batches(ctx.uow, actor.account_id)
    return CustomerList(await anext(batches, []), batches)


class _Page:
    """Which rows a profile get returns: filters, then offset and limit.

    Each batch is a query of its own, after the last username seen (keyset paging on
    the list's order), so nothing holds a database connection while the client reads.
    """

    def __init__(self, command: ListCustomers) -> None:
        self.filters = command.filters
        self.active = command.active
        self.offset = command.offset or 0
        self.limit = command.limit
        self.filtered = bool(self.filters) or self.active is not None

    @property
    def stop(self) -> int | None:
        return self.limit

    async def batches(
        self, uow: ServiceTransactions, distributor_id: int
    ) -> AsyncIterator[list[CustomerView]]:
        after: str | None = None
        # Unfiltered, SQL skips the offset; filtered, rows are skipped once they match.
        sql_offset, skip = (0, self.offset) if self.filtered else (self.offset, 0)
        remaining = self.limit
        while remaining is None or remaining > 0:
            size = BATCH if remaining is None or self.filtered else min(BATCH, remaining)
            rows = await uow.run_read(
                partial(_rows, distributor_id, after=after, offset=sql_offset, batch=size)
            )
            if not rows:
                return
            after, sql_offset = rows[-1][KEY_COLUMN], 0
            views = self.select(rows, skip)
            skip = max(0, skip - self._matching(rows))
            if remaining is not None:
                views = views[:remaining]
                remaining -= len(views)
            if views:
                yield views
            if len(rows) < size:
                return
            # A SQLite read does not wait, so without this one long list would keep
            # the event loop from every other request until it was done.
            await asyncio.sleep(0)

    def select(self, rows: list[CustomerRow], skip: int) -> list[CustomerView]:
        matching = [row for row in rows if self._matches(row)] if self.filtered else rows
        return [_view(row) for row in matching[skip:]]

    def _matching(self, rows: list[CustomerRow]) -> int:
        return sum(1 for row in rows if self._matches(row)) if self.filtered else len(rows)

    def _matches(self, row: CustomerRow) -> bool:
        if self.active is not None and bool(row[FIELD_INDEX["active"]]) != self.active:
            return False
        return all(
            (row[FIELD_INDEX[name]] or "").casefold() == wanted
            for name, wanted in self.filters.items()
        )


def _rows(
    distributor_id: int, repository: Records, *, after: str | None, offset: int, batch: int
) -> list[CustomerRow]:
    return repository.customer_rows(distributor_id, after=after, offset=offset, batch=batch)


def _view(row: CustomerRow) -> CustomerView:
    values = list(row[:FIELD_COUNT])
    if None in values:  # rarely (an empty email): one scan in C instead of a test a value
        values = [value or "" for value in values]
    for index in FLAG_INDEXES:
        values[index] = "true" if row[index] else "false"
    return tuple(values)


# profile set / setUsername / setEmail ----------------------------------------------


class SetProfile(NamedTuple):
    user: str
    first_name: str | None
    last_name: str | None
    address: str | None
    city: str | None
    state: str | None
    zip: str | None
    country: str | None
    phone: str | None
    website: str | None
    company: str | None

    @property
    def changes(self) -> dict[str, str]:
        given = self._asdict()
        del given["user"]
        return {name: value for name, value in given.items() if value is not None}


class SetUsername(NamedTuple):
    user: str
    username: str


class SetEmail(NamedTuple):
    user: str
    email: str


async def set_profile(ctx: ServiceContext, actor: Actor, command: SetProfile) -> Success:
    """profile set: at least one field, each under the same limits as add."""
    changes = command.changes
    if not changes:
        raise Invalid([Problem(None, NO_PROFILE_FIELD)])

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        repository.update_profile(customer.id, changes)
        repository.change_login(customer.id, ctx.clock())
        audit.record(repository, ctx, actor, "customer.profile", customer.username, changes)

    await ctx.uow.run_write(change)
    return Success()


async def set_username(ctx: ServiceContext, actor: Actor, command: SetUsername) -> Success:
    """profile setUsername: takes effect at once; the old name becomes free."""
    key = rules.username_key(command.username)

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        if key != customer.username_key and repository.username_taken(key):
            raise Invalid([Problem("username", USERNAME_TAKEN)])
        fields = {"username": command.username}
        audit.record(repository, ctx, actor, "customer.username", customer.username, fields)
        repository.change_login(customer.id, ctx.clock(), username=command.username)

    await ctx.uow.run_write(change)
    return Success()


async def set_email(ctx: ServiceContext, actor: Actor, command: SetEmail) -> Success:
    """profile setEmail: the contact address only; logins are unaffected."""

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        repository.change_login(customer.id, ctx.clock(), email=command.email)
        fields = {"email": command.email}
        audit.record(repository, ctx, actor, "customer.email", customer.username, fields)

    await ctx.uow.run_write(change)
    return Success()


# password, auth ---------------------------------------------------------------------


class ResetPassword(NamedTuple):
    user: str
    password: str
    confirm_password: str


class CheckPassword(NamedTuple):
    user: str
    password: str


async def reset_password(ctx: ServiceContext, actor: Actor, command: ResetPassword) -> Success:
    """password: the old password stops working at once."""
    await ctx.uow.run_read(lambda r: live_customer(r, actor, command.user))  # unknown: no hash
    password_hash = await ctx.hash_password(command.password)

    def change(repository: Records) -> None:
        customer = live_customer(repository, actor, command.user)
        repository.change_login(customer.id, ctx.clock(), password_hash=password_hash)
        fields = {"password": True}
        audit.record(repository, ctx, actor, "customer.password", customer.username, fields)

    await ctx.uow.run_write(change)
    return Success()


async def authenticate_customer(
    ctx: ServiceContext, actor: Actor, command: CheckPassword
) -> Success:
    """auth: success when `password` is the customer's; a wrong one is a 400. Its failures
    count in the customer's throttle budget and the audit trail, like any login's."""
    customer = await ctx.uow.run_read(lambda r: live_customer(r, actor, command.user))
    if not await ctx.identity.check_password(customer, command.password, actor):
        raise Invalid([Problem("password", "password is incorrect")])
    return Success()


# enable / disable / website_enable / website_disable ------------------------------


class FlagChange(NamedTuple):
    user: str


async def enable(ctx: ServiceContext, actor: Actor, command: FlagChange) -> Success:
    """enable: sending on."""
    return await _set_flag(ctx, actor, command.user, "customer.enable", "active", True)


async def disable(ctx: ServiceContext, actor: Actor, command: FlagChange) -> Success:
    """disable: sending off."""
    return await _set_flag(ctx, actor, command.user, "customer.disable", "active", False)


async def website_enable(ctx: ServiceContext, actor: Actor, command: FlagChange) -> Success:
    """website_enable: dashboard login on."""
    action = "customer.website_enable"
    return await _set_flag(ctx, actor, command.user, action, "website_access", True)


async def website_disable(ctx: ServiceContext, actor: Actor, command: FlagChange) -> Success:
    """website_disable: dashboard login off."""
    action = "customer.website_disable"
    return await _set_flag(ctx, actor, command.user, action, "website_access", False)


async def _set_flag(
    ctx: ServiceContext, actor: Actor, user: str, action: str, column: CustomerFlag, value: bool
) -> Success:
    key = rules.username_key(user)

    def change(repository: Records) -> None:
        found = repository.set_customer_flag(actor.account_id, key, column, value, ctx.clock())
        if not found:
            raise NotFound(bare=True)
        audit.record(repository, ctx, actor, action, user, {column: value})

    await ctx.uow.run_write(change)
    return Success()
