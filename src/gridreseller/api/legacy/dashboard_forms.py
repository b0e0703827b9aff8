"""The dashboard's forms as the legacy parameter machinery reads them: the customer
plan's and the catalog's changes, the customer list's query, the own-password form.

A transition: the dashboard's pages still hand their forms to these declarations
(web/actions.py) until they build the services' commands themselves; the rules are
domain/field_rules.py's and the services', the messages the legacy API's.
"""

from __future__ import annotations

from gridreseller.api.legacy.customers import ADD_CUSTOMER
from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import (
    Choice,
    Count,
    Flag,
    ParseContext,
    PositiveCount,
    Secret,
    Text,
)
from gridreseller.api.legacy.operations import Operation
from gridreseller.api.legacy.params import Params
from gridreseller.api.legacy.shared import new_password_fields, user_field
from gridreseller.domain.errors import Problem
from gridreseller.domain.models import Actor, Success
from gridreseller.services import customer_search, dashboard_sessions
from gridreseller.services.account import SAME_PASSWORD, ChangeOwnPassword
from gridreseller.services.catalog import (
    AddIps,
    GroupName,
    NewPackage,
    PackageName,
    RemoveIp,
    add_ips,
    create_package,
    delete_package,
    remove_ip,
    remove_ip_group,
)
from gridreseller.services.context import ServiceContext
from gridreseller.services.customer_plan import (
    SetBillingDate,
    SetIpGroups,
    SetPackage,
    SetWhitelabel,
    set_billing_date,
    set_ip_groups,
    set_package,
    set_whitelabel,
)
from gridreseller.services.customer_search import (
    DIRECTIONS,
    PAGE_SIZE,
    SORT_COLUMNS,
    CustomerListQuery,
)
from gridreseller.services.dashboard_sessions import Session


def _add_field(name: str) -> Field:
    """distributor.add's declaration of a field: its kind, limits and words."""
    return next(field for field in ADD_CUSTOMER.fields if field.name == name)


# The customer's package, whitelabel, IP groups and addresses, billing date --------

_USER = user_field("The customer.")
SET_PACKAGE = Operation(
    "Change a customer's package",
    Declaration(SetPackage, (_USER, _add_field("package"))),
    set_package,
)
SET_WHITELABEL = Operation(
    "Change a customer's whitelabel domain",
    Declaration(SetWhitelabel, (_USER, _add_field("whitelabel"))),
    set_whitelabel,
)
SET_IP_GROUPS = Operation(
    "Set a customer's IP groups and addresses",
    Declaration(SetIpGroups, (_USER, _add_field("ip_group"), _add_field("ip"))),
    set_ip_groups,
)
SET_BILLING_DATE = Operation(
    "Set or clear a customer's billing date",
    Declaration(SetBillingDate, (_USER, _add_field("billing_date"))),
    set_billing_date,
)


# The distributor's packages and IP groups ------------------------------------------


def _amount(name: str) -> Field:
    return Field(name, Text(40, empty_is_absent=True), default="0")


NEW_PACKAGE = Declaration(
    NewPackage,
    (
        Field("name", Text(255), True),
        Field("description", Text(10_000, empty_is_absent=True), default=""),
        _amount("price"),
        _amount("distributor_price"),
        Field("credits", Count(), default=0),
        _amount("overage"),
        Field("has_ip", Flag(), default=False),
        Field("has_reseller", Flag(), default=False),
    ),
)


_GROUP = Field("group", Text(255), True)
CREATE_PACKAGE = Operation("Create a package", NEW_PACKAGE, create_package)
DELETE_PACKAGE = Operation(
    "Delete a package no live customer has",
    Declaration(PackageName, (Field("name", Text(255), True),)),
    delete_package,
)
ADD_IPS = Operation(
    "Add addresses to an IP group (made if new)",
    Declaration(AddIps, (_GROUP, Field("address", Text(10_000), True))),
    add_ips,
)
REMOVE_IP = Operation(
    "Remove an IP address no live customer has",
    Declaration(RemoveIp, (Field("address", Text(45), True),)),
    remove_ip,
)
REMOVE_IP_GROUP = Operation(
    "Remove an IP group and its addresses",
    Declaration(GroupName, (_GROUP,)),
    remove_ip_group,
)


# The customer list and the own password ---------------------------------------------


CUSTOMER_LIST_QUERY = Declaration(
    CustomerListQuery,
    (
        Field("search", Text(100, empty_is_absent=True)),
        Field("active", Flag("must be true, false, 1 or 0", empty_is_absent=True)),
        Field("sort", Choice(SORT_COLUMNS), default=SORT_COLUMNS[0]),
        Field("dir", Choice(DIRECTIONS), default=DIRECTIONS[0]),
        Field("page", PositiveCount(), default=1),
    ),
)


def _differs(params: Params, _context: ParseContext) -> Problem | None:
    new = params.get("password")
    if new and new == params.get("current_password"):
        return Problem("password", SAME_PASSWORD)
    return None


CHANGE_OWN_PASSWORD = Declaration(
    ChangeOwnPassword,
    (
        Field("current_password", Secret(), True, description="The password now."),
        *new_password_fields(),
    ),
    checks=(_differs,),
)


async def list_customers(
    ctx: ServiceContext, actor: Actor, params: Params, size: int = PAGE_SIZE
) -> customer_search.CustomerPage:
    """A page of the customer list; Invalid names a bad parameter."""
    query = CUSTOMER_LIST_QUERY.parse(params, ctx.parse_context())
    return await customer_search.list_customers(ctx, actor, query, size)


async def change_password(
    ctx: ServiceContext, session: Session, actor: Actor, params: Params
) -> Success:
    """The own-password form, changed from this session (services/dashboard_sessions.py)."""
    command = CHANGE_OWN_PASSWORD.parse(params, ctx.parse_context())
    return await dashboard_sessions.change_password(ctx, session, actor, command)
