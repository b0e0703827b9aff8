"""distributor.add and distributor.delete's parameters (services/customers.py)."""

from __future__ import annotations

from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import (
    BillingDate,
    DomainName,
    Email,
    Flag,
    IpAddress,
    NewUsername,
    Text,
)
from gridreseller.api.legacy.operations import Operation
from gridreseller.api.legacy.shared import new_password_fields, profile_fields, user_field
from gridreseller.services.customers import (
    AddCustomer,
    DeleteCustomer,
    add_customer,
    add_customer_problems,
    delete_customer,
)

ADD_CUSTOMER = Declaration(
    AddCustomer,
    (
        Field(
            "username",
            NewUsername(64),
            True,
            description="Login of the new customer; unique across every account "
            "(case-insensitive).",
            example="jane@example.com",
        ),
        *new_password_fields("Password of the new customer."),
        Field(
            "email",
            Email(64),
            True,
            description="Contact email address.",
            example="jane@example.com",
        ),
        *profile_fields(required=True),
        Field(
            "package",
            Text(255),
            True,
            example="basic",
            description="Name of one of this distributor's packages (see distributor.packages).",
        ),
        Field(
            "whitelabel",
            DomainName(255),
            True,
            example="mail.example.com",
            description="Domain name (two labels or more; internationalized names allowed).",
        ),
        Field(
            "ip_group",
            Text(255),
            repeatable=True,
            default=[],
            example="shared",
            description="Names of this distributor's IP groups (repeatable).",
        ),
        Field(
            "ip",
            IpAddress(),
            repeatable=True,
            default=[],
            description="IP addresses of this distributor (repeatable); only with a package "
            "that has_ip.",
        ),
        Field(
            "free_user",
            Flag(),
            default=False,
            description="`true`/`false`/`1`/`0`, in any case; default false.",
        ),
        Field(
            "billing_date",
            BillingDate(),
            description="YYYY-mm-dd, from today (UTC) up to the same day of next month "
            "(empty: none).",
        ),
    ),
)
DELETE_CUSTOMER = Declaration(
    DeleteCustomer, (user_field("Username of the live customer to delete."),)
)


ADD = Operation("Create a customer", ADD_CUSTOMER, add_customer, add_customer_problems)
DELETE = Operation(
    "Delete a customer (its username stays reserved)", DELETE_CUSTOMER, delete_customer
)
