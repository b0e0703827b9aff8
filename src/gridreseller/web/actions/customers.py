"""A distributor's customers: the list, one customer, adding and deleting one, its
profile, username, email, password, flags, sending limit and sender domains (the
services of distributor.add, distributor.delete and distributor.manage)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from functools import partial

from gridreseller.domain import field_rules, senders
from gridreseller.domain.access import Principal
from gridreseller.domain.credits import Period
from gridreseller.domain.errors import Invalid, NotFound, Problem
from gridreseller.domain.models import CUSTOMER_FIELDS, Actor, CreditsView, Success
from gridreseller.domain.rules import PROFILE_LIMITS, parse_date
from gridreseller.services import credits, customer_search, customers, manage
from gridreseller.services import senders as sender_service
from gridreseller.services.context import ServiceContext
from gridreseller.services.customer_search import CustomerListQuery, CustomerPage
from gridreseller.web.actions import dashboard_actor
from gridreseller.web.form_fields import FormReader, is_required, new_password, text
from gridreseller.web.forms import Form

Customer = dict[str, str]  # a listed customer: CUSTOMER_FIELDS -> value
FlagService = Callable[[ServiceContext, Actor, manage.FlagChange], Awaitable[Success]]
FLAGS: Mapping[str, FlagService] = {
    "enable": manage.enable,
    "disable": manage.disable,
    "website_enable": manage.website_enable,
    "website_disable": manage.website_disable,
}
LIMIT_TASKS = ("total", "increment", "decrement", "recurring", "none")
PERIODS = tuple(period.value for period in Period)


def read_user(reader: FormReader) -> str:
    """The `user` field: the customer a form is about."""
    user: str = reader.value("user", field_rules.text, required=True, empty=is_required)
    return user


# The list and one customer ----------------------------------------------------------


async def search_customers(ctx: ServiceContext, principal: Principal, query: Form) -> CustomerPage:
    """A page of the dashboard's customer list: searched, sorted, counted."""
    reader = FormReader(query, ctx.parse_context())
    command = CustomerListQuery(
        search=reader.value("search", text(100), empty=None),
        active=reader.flag("active", message="must be true, false, 1 or 0", empty_is_absent=True),
        sort=reader.choice("sort", customer_search.SORT_COLUMNS, customer_search.SORT_COLUMNS[0]),
        dir=reader.choice("dir", customer_search.DIRECTIONS, customer_search.DIRECTIONS[0]),
        page=reader.value("page", field_rules.positive_count, empty=None, default=1),
    )
    reader.check()
    return await customer_search.list_customers(ctx, dashboard_actor(principal), command)


async def find_customer(ctx: ServiceContext, principal: Principal, user: str) -> Customer:
    """This distributor's live customer `user` (profile get by username), else NotFound."""
    if not user:
        raise Invalid(["user is required"])
    reader = FormReader(Form.of({"username": user}), ctx.parse_context())
    username = reader.value("username", field_rules.text, empty=None)
    reader.check()
    command = manage.ListCustomers(username, *manage.ALL_ROWS)
    found = await manage.list_customers(ctx, dashboard_actor(principal), command)
    if not found.rows:
        raise NotFound()
    return dict(zip(CUSTOMER_FIELDS, found.rows[0], strict=True))


async def add_customer(ctx: ServiceContext, principal: Principal, form: Form) -> str:
    """distributor.add; the new customer's username. The checks against stored data
    (package, IP groups and addresses, a taken username) are reported together with
    the fields' own problems."""
    reader = FormReader(form, ctx.parse_context())
    limits = reader.limits
    values = {
        "username": reader.value(
            "username", partial(field_rules.new_username, max_length=64), required=True
        ),
        **new_password(reader),
        "email": reader.value("email", partial(field_rules.email, max_length=64), required=True),
        **{
            name: reader.value(name, text(limit), required=True)
            for name, limit in PROFILE_LIMITS.items()
        },
        "package": reader.value("package", text(255), required=True),
        "whitelabel": reader.value(
            "whitelabel", partial(field_rules.domain_name, max_length=255), required=True
        ),
        "ip_group": reader.repeated("ip_group", text(255)),
        "ip": reader.repeated("ip", field_rules.ip_address),
        "free_user": reader.flag("free_user", default=False),
        "billing_date": reader.value(
            "billing_date", partial(field_rules.billing_date, today=limits.today), empty=None
        ),
    }
    actor = dashboard_actor(principal)
    if reader.problems:
        reader.problems += await customers.add_customer_problems(ctx, actor, values)
    reader.check()
    await customers.add_customer(ctx, actor, customers.AddCustomer(**values))
    return form.text("username")


async def delete_customer(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = customers.DeleteCustomer(read_user(reader))
    reader.check()
    await customers.delete_customer(ctx, dashboard_actor(principal), command)


# The customer's profile, username, email, password and flags ------------------------


async def save_profile(ctx: ServiceContext, principal: Principal, form: Form) -> bool:
    """profile set with the fields the form changed; False when it changed none."""
    user = form.text("user")
    current = await find_customer(ctx, principal, user)
    changed = {
        name: value
        for name in PROFILE_LIMITS
        if (value := form.get(name)) is not None and value != current[name]
    }
    if not changed:
        return False
    reader = FormReader(Form.of({"user": user, **changed}), ctx.parse_context())
    command = manage.SetProfile(
        read_user(reader),
        **{name: reader.value(name, text(limit)) for name, limit in PROFILE_LIMITS.items()},
    )
    reader.check()
    await manage.set_profile(ctx, dashboard_actor(principal), command)
    return True


async def set_username(ctx: ServiceContext, principal: Principal, form: Form) -> str:
    """profile setUsername; the new username."""
    reader = FormReader(form, ctx.parse_context())
    reserved = reader.limits.reserved_domains
    rule = partial(field_rules.login_email, max_length=100, reserved_domains=reserved)
    command = manage.SetUsername(read_user(reader), reader.value("username", rule, required=True))
    reader.check()
    await manage.set_username(ctx, dashboard_actor(principal), command)
    return command.username


async def set_email(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    rule = partial(field_rules.email, max_length=100)
    command = manage.SetEmail(read_user(reader), reader.value("email", rule, required=True))
    reader.check()
    await manage.set_email(ctx, dashboard_actor(principal), command)


async def reset_password(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = manage.ResetPassword(read_user(reader), **new_password(reader))
    reader.check()
    await manage.reset_password(ctx, dashboard_actor(principal), command)


async def set_flag(ctx: ServiceContext, principal: Principal, form: Form) -> str:
    """enable, disable, website_enable or website_disable (the form's `method`)."""
    method = form.text("method")
    service = FLAGS.get(method)
    if service is None:
        raise Invalid([f"method must be one of {', '.join(FLAGS)}"])
    reader = FormReader(form, ctx.parse_context())
    command = manage.FlagChange(read_user(reader))
    reader.check()
    await service(ctx, dashboard_actor(principal), command)
    return method


# The sending limit (method=limit) ---------------------------------------------------


async def customer_limit(ctx: ServiceContext, principal: Principal, user: str) -> CreditsView:
    """task=retrieve, for a customer just found."""
    return await credits.retrieve(ctx, dashboard_actor(principal), credits.OfCustomer(user))


async def set_limit(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """The form's `task` (one of LIMIT_TASKS) with the fields it reads."""
    task = form.text("task")
    if task not in LIMIT_TASKS:
        raise Invalid([f"task must be one of {', '.join(LIMIT_TASKS)}"])
    reader = FormReader(form, ctx.parse_context())
    actor = dashboard_actor(principal)
    user = read_user(reader)
    if task == "none":
        reader.check()
        await credits.remove(ctx, actor, credits.OfCustomer(user))
    elif task == "total":
        total = reader.value("credits", field_rules.count, required=True, empty=None)
        reader.check()
        await credits.set_total(ctx, actor, credits.SetTotal(user, total))
    elif task == "recurring":
        command = _recurring(reader, user)
        reader.check()
        await credits.set_recurring(ctx, actor, command)
    else:
        many = reader.value("credits", field_rules.positive_count, required=True, empty=None)
        reader.check()
        adjust = credits.increment if task == "increment" else credits.decrement
        await adjust(ctx, actor, credits.Adjust(user, many))


def _recurring(reader: FormReader, user: str) -> credits.SetRecurring:
    positive = field_rules.positive_count
    command = credits.SetRecurring(
        user,
        credits=reader.value("credits", positive, required=True, empty=None),
        period=reader.choice("period", PERIODS),
        startdate=reader.value("startdate", field_rules.day, empty=None),
        enddate=reader.value("enddate", field_rules.day, empty=None),
        initial_credits=reader.value("initial_credits", positive, empty=None),
    )
    reader.add(_end_not_before_start(reader))
    return command


def _end_not_before_start(reader: FormReader) -> Problem | None:
    """Judged on the dates as sent (one that is not a date is told on its own); without
    a startdate, enddate is judged against today (the default start)."""
    sent_start = reader.form.get("startdate")
    end = parse_date(reader.form.get("enddate") or "")
    start = parse_date(sent_start) if sent_start else reader.limits.today
    if end is not None and start is not None and end < start:
        return Problem("enddate", credits.END_BEFORE_START)
    return None


# Allowed sender domains (profile setSenderDomains) ----------------------------------


def sender_domain_lines(form: Form) -> list[str]:
    """The textarea's entries: one per line (commas and spaces separate them too)."""
    typed = form.get("sender_domains") or ""
    return [entry for entry in re.split(r"[\s,]+", typed) if entry]


async def set_sender_domains(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """The whole list as typed; an empty box allows any sender."""
    lines = sender_domain_lines(form) or [""]
    reader = FormReader(form, ctx.parse_context())
    user = read_user(reader)
    entries = reader.repeated("sender_domains", senders.sender_domain_value, lines)
    reader.add(_not_too_many(lines))
    reader.check()
    command = sender_service.SetSenderDomains(user, entries)
    await sender_service.set_sender_domains(ctx, dashboard_actor(principal), command)


def _not_too_many(lines: list[str]) -> Problem | None:
    """Counted in distinct valid entries (the invalid ones are told on their own)."""
    valid: set[str] = set()
    for line in lines:
        try:
            valid.add(senders.sender_domain_entry(line))
        except senders.SenderDomainProblem:
            continue
    if len(valid) <= senders.MAX_SENDER_DOMAINS:
        return None
    return Problem(sender_service.PARAMETER, sender_service.TOO_MANY)
