"""distributor.manage's parameters: one operation per method (and task) of
services/manage.py (and of services/credits.py and services/senders.py: `limit`,
`setSenderDomains`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from gridreseller.api.legacy import limit, sender_domains
from gridreseller.api.legacy.fields import Declaration, Field, at_least_one_of
from gridreseller.api.legacy.kinds import Count, Email, Flag, LoginEmail, Secret, Text
from gridreseller.api.legacy.operations import Operation, Selector
from gridreseller.api.legacy.shared import new_password_fields, profile_fields, user_field
from gridreseller.domain import rules
from gridreseller.domain.models import Actor, Success
from gridreseller.services.context import ServiceContext
from gridreseller.services.manage import (
    TEXT_FILTERS,
    CheckPassword,
    FlagChange,
    ListCustomers,
    ResetPassword,
    SetEmail,
    SetProfile,
    SetUsername,
    authenticate_customer,
    disable,
    enable,
    list_customers,
    reset_password,
    set_email,
    set_profile,
    set_username,
    website_disable,
    website_enable,
)

FlagService = Callable[[ServiceContext, Actor, FlagChange], Awaitable[Success]]


LIST_CUSTOMERS = Declaration(
    ListCustomers,
    (
        Field(
            "username", Text(empty_is_absent=True), description="Filter: exact username, any case."
        ),
        *(
            Field(name, Text(empty_is_absent=True), description="Filter: exact match, any case.")
            for name in TEXT_FILTERS
        ),
        Field(
            "active",
            Flag("must be true, false, 1 or 0", empty_is_absent=True),
            description="Filter: `true`/`false`/`1`/`0` (empty: no filter).",
        ),
        Field("limit", Count(), description="Page size: a non-negative integer.", example="50"),
        Field("offset", Count(), description="Rows to skip: a non-negative integer.", example="0"),
    ),
)


SET_PROFILE = Declaration(
    SetProfile,
    (user_field(), *profile_fields(required=False)),
    checks=(at_least_one_of(tuple(rules.PROFILE_LIMITS)),),
    any_of=(tuple(rules.PROFILE_LIMITS),),
)
SET_USERNAME = Declaration(
    SetUsername,
    (
        user_field(),
        Field(
            "username",
            LoginEmail(100),
            True,
            description="The new username: an email address, not taken, not on a reserved domain.",
            example="jd@example.com",
        ),
    ),
)
SET_EMAIL = Declaration(
    SetEmail,
    (
        user_field(),
        Field(
            "email",
            Email(100),
            True,
            description="The new contact address.",
            example="jd@example.com",
        ),
    ),
)


RESET_PASSWORD = Declaration(ResetPassword, (user_field(), *new_password_fields()))
CHECK_PASSWORD = Declaration(
    CheckPassword,
    (
        user_field(),
        Field("password", Secret(), True, description="The password to check."),
    ),
)


def _flag_operation(summary: str, service: FlagService, *aliases: str) -> Operation[FlagChange]:
    description = "The customer" + (
        " (wins over `username` when both are given)." if aliases else "."
    )
    declaration = Declaration(FlagChange, (user_field(description, aliases),))
    return Operation(summary, declaration, service)


PROFILE = Selector(
    "task",
    {
        "get": Operation(
            "List customers (filters combine with AND; username order).",
            LIST_CUSTOMERS,
            list_customers,
        ),
        "set": Operation("Update profile fields (at least one).", SET_PROFILE, set_profile),
        "setUsername": Operation(
            "Rename the customer's login; the old name stops working at once.",
            SET_USERNAME,
            set_username,
        ),
        "setEmail": Operation("Change the contact email address.", SET_EMAIL, set_email),
        "setSenderDomains": sender_domains.SET,
    },
)

MANAGE = Selector(
    "method",
    {
        "profile": PROFILE,
        "password": Operation("Reset the customer's password.", RESET_PASSWORD, reset_password),
        "enable": _flag_operation("Turn sending on.", enable),
        "disable": _flag_operation(
            "Turn sending off (`user` wins over `username` when both are given).",
            disable,
            "username",
        ),
        "website_enable": _flag_operation("Turn dashboard login on.", website_enable),
        "website_disable": _flag_operation("Turn dashboard login off.", website_disable),
        "auth": Operation(
            "Check a customer's password (a wrong one is a 400 error on `password`).",
            CHECK_PASSWORD,
            authenticate_customer,
        ),
        "limit": limit.LIMIT,
    },
)
