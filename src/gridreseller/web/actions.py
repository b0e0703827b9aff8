"""Every call from the dashboard into the services (§12: each action runs the same
service as the API call that does the same thing).

A submitted form's fields carry the API's parameter names; here they become the
services' parameter bag, and the principal's actor is put on the dashboard surface,
so the rules, the error messages and the audit entries are the API's own. This is
the only module of web/ that knows the services' parameter types.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gridreseller.api.legacy import credentials as credential_api
from gridreseller.api.legacy import customers, dashboard_forms, manage, packages
from gridreseller.api.legacy.operations import Operation
from gridreseller.api.legacy.params import Params
from gridreseller.domain.access import Principal
from gridreseller.domain.errors import Invalid, NotFound
from gridreseller.domain.models import (
    CUSTOMER_FIELDS,
    AccountView,
    Actor,
    CredentialList,
    CredentialView,
    CreditsView,
    CustomerList,
    CustomerPlan,
    IpGroupView,
    PackageList,
    PackageView,
    Result,
    Surface,
)
from gridreseller.domain.rules import PERMISSION_KEYS, PROFILE_LIMITS
from gridreseller.services import (
    account,
    catalog,
    credentials,
    credits,
    customer_plan,
    customer_search,
    ip_groups,
)
from gridreseller.services.context import ServiceContext
from gridreseller.services.dashboard_sessions import Session
from gridreseller.web.csrf import FIELD as CSRF_FIELD
from gridreseller.web.forms import Form

FLAG_METHODS = ("enable", "disable", "website_enable", "website_disable")

Customer = dict[str, str]  # a listed customer: CUSTOMER_FIELDS -> value


def dashboard_actor(principal: Principal) -> Actor:
    """The principal's actor, on the dashboard surface (for the audit trail)."""
    return principal.actor._replace(surface=Surface.DASHBOARD)


# Customers (distributor.*) ---------------------------------------------------------


async def search_customers(
    ctx: ServiceContext, principal: Principal, query: Form
) -> customer_search.CustomerPage:
    """A page of the dashboard's customer list: searched, sorted, counted."""
    return await dashboard_forms.list_customers(ctx, dashboard_actor(principal), _params(query))


async def find_customer(ctx: ServiceContext, principal: Principal, user: str) -> Customer:
    """This distributor's live customer `user` (profile get by username), else NotFound."""
    if not user:
        raise Invalid(["user is required"])
    found = await _manage(ctx, principal, Params.of(username=user), "profile", "get")
    assert isinstance(found, CustomerList)
    if not found.rows:
        raise NotFound()
    return dict(zip(CUSTOMER_FIELDS, found.rows[0], strict=True))


async def add_customer(ctx: ServiceContext, principal: Principal, form: Form) -> str:
    """distributor.add; the new customer's username."""
    await customers.ADD.run(ctx, dashboard_actor(principal), _params(form))
    return form.text("username")


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
    await _manage(ctx, principal, Params.of(user=user, **changed), "profile", "set")
    return True


async def set_username(ctx: ServiceContext, principal: Principal, form: Form) -> str:
    """profile setUsername; the new username."""
    await _manage(ctx, principal, _params(form), "profile", "setUsername")
    return form.text("username")


async def set_email(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    await _manage(ctx, principal, _params(form), "profile", "setEmail")


async def reset_password(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    await _manage(ctx, principal, _params(form), "password")


async def set_flag(ctx: ServiceContext, principal: Principal, form: Form) -> str:
    """enable, disable, website_enable or website_disable (the form's `method`)."""
    method = form.text("method")
    if method not in FLAG_METHODS:
        raise Invalid([f"method must be one of {', '.join(FLAG_METHODS)}"])
    await _manage(ctx, principal, _params(form), method)
    return method


LIMIT_TASKS = ("total", "increment", "decrement", "recurring", "none")


async def customer_limit(ctx: ServiceContext, principal: Principal, user: str) -> CreditsView:
    """distributor.manage method=limit task=retrieve."""
    found = await _manage(ctx, principal, Params.of(user=user), "limit", "retrieve")
    assert isinstance(found, CreditsView)
    return found


async def set_limit(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """method=limit with the form's `task` (one of LIMIT_TASKS) and its fields."""
    task = form.text("task")
    if task not in LIMIT_TASKS:
        raise Invalid([f"task must be one of {', '.join(LIMIT_TASKS)}"])
    fields = form.without("task")
    await _manage(ctx, principal, _params(fields), "limit", task)


async def own_credits(ctx: ServiceContext, principal: Principal) -> CreditsView:
    """The sending credits of the customer this login belongs to."""
    return await credits.own_credits(ctx, dashboard_actor(principal))


async def delete_customer(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    await customers.DELETE.run(ctx, dashboard_actor(principal), _params(form))


async def list_packages(ctx: ServiceContext, principal: Principal) -> list[PackageView]:
    found = await packages.LIST.run(ctx, dashboard_actor(principal), Params())
    assert isinstance(found, PackageList)
    return found.packages


async def list_ip_groups(ctx: ServiceContext, principal: Principal) -> list[IpGroupView]:
    return await ip_groups.list_ip_groups(ctx, dashboard_actor(principal))


# The customer's package, whitelabel, IP groups, billing date, and the distributor's
# packages and IP groups: the dashboard's own operations (no API call changes these).

PLAN_CHANGES: dict[str, Operation[Any]] = {
    "package": dashboard_forms.SET_PACKAGE,
    "whitelabel": dashboard_forms.SET_WHITELABEL,
    "ip_groups": dashboard_forms.SET_IP_GROUPS,
    "billing_date": dashboard_forms.SET_BILLING_DATE,
}
CATALOG_CHANGES: dict[str, Operation[Any]] = {
    "create_package": dashboard_forms.CREATE_PACKAGE,
    "delete_package": dashboard_forms.DELETE_PACKAGE,
    "add_ips": dashboard_forms.ADD_IPS,
    "remove_ip": dashboard_forms.REMOVE_IP,
    "remove_group": dashboard_forms.REMOVE_IP_GROUP,
}


async def customer_plan_of(ctx: ServiceContext, principal: Principal, user: str) -> CustomerPlan:
    return await customer_plan.view_plan(ctx, dashboard_actor(principal), user)


async def ip_rows(ctx: ServiceContext, principal: Principal) -> list[catalog.IpRow]:
    return await catalog.ip_summaries(ctx, dashboard_actor(principal))


async def run_change(
    ctx: ServiceContext, principal: Principal, operation: Operation[Any], form: Form
) -> None:
    """One of PLAN_CHANGES or CATALOG_CHANGES, with the form's fields."""
    await operation.run(ctx, dashboard_actor(principal), _params(form))


# Credentials (credentials/*) -------------------------------------------------------


async def list_credentials(ctx: ServiceContext, principal: Principal) -> list[CredentialView]:
    found = await credential_api.GET.run(ctx, dashboard_actor(principal), Params())
    assert isinstance(found, CredentialList)
    return found.credentials


async def find_credential(ctx: ServiceContext, principal: Principal, name: str) -> CredentialView:
    if not name:
        raise Invalid(["username is required"])
    found = await credential_api.GET.run(ctx, dashboard_actor(principal), Params.of(username=name))
    assert isinstance(found, CredentialView)
    return found


async def customer_credentials(
    ctx: ServiceContext, principal: Principal, user: str
) -> list[CredentialView]:
    """The credentials of a customer of this distributor, read only."""
    return await credentials.customer_credentials(ctx, dashboard_actor(principal), user)


async def add_credential(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """credentials/add: the checkboxes become its `permissions` object (unticked: 0)."""
    bits = {key: _bit(form.get(key)) for key in PERMISSION_KEYS}
    fields = form.without(*PERMISSION_KEYS)
    params = _params(fields, permissions=json.dumps(bits))
    await credential_api.ADD.run(ctx, dashboard_actor(principal), params)


async def edit_credential(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """credentials/edit: every bit as ticked (unticked: 0); an empty password is left
    out, which keeps the password."""
    fields = form.without(*PERMISSION_KEYS)
    if not fields.get("password"):
        fields = fields.without("password")
    bits = {key: form.get(key) or "0" for key in PERMISSION_KEYS}
    await credential_api.EDIT.run(ctx, dashboard_actor(principal), _params(fields, **bits))


async def remove_credential(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    await credential_api.REMOVE.run(ctx, dashboard_actor(principal), _params(form))


# The login's own account -----------------------------------------------------------


async def view_account(ctx: ServiceContext, principal: Principal) -> AccountView:
    return await account.view_account(ctx, dashboard_actor(principal))


async def change_own_password(
    ctx: ServiceContext, session: Session, principal: Principal, form: Form
) -> None:
    """The login's own password, from this session: the session stays, others end."""
    await dashboard_forms.change_password(ctx, session, dashboard_actor(principal), _params(form))


async def _manage(
    ctx: ServiceContext, principal: Principal, params: Params, method: str, task: str = ""
) -> Result:
    """distributor.manage as the API runs it: the operation its method (and task) pick."""
    chosen = {"method": method, **({"task": task} if task else {})}
    request = Params(values={**params.values, **chosen}, arrays=params.arrays)
    return await manage.MANAGE.run(ctx, dashboard_actor(principal), request)


def _params(form: Form, **extra: str) -> Params:
    """The form's fields as the API would have received them: `name[]` as arrays."""
    fields = Params.from_pairs(pair for pair in form.pairs if pair[0] != CSRF_FIELD)
    return fields.overridden_by(Params(values=extra)) if extra else fields


def _bit(value: str | None) -> int | str:
    """A ticked box's "1" as 1, an absent one as 0; anything else is passed on for the
    service to refuse in its own words."""
    if value is None or value == "0":
        return 0
    return 1 if value == "1" else value


# A customer's allowed sender domains (profile setSenderDomains) -------------------------


def sender_domain_lines(form: Form) -> list[str]:
    """The textarea's entries: one per line (commas and spaces separate them too)."""
    text = form.get("sender_domains") or ""
    return [entry for entry in re.split(r"[\s,]+", text) if entry]


async def set_sender_domains(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """The whole list as typed; an empty box allows any sender."""
    params = Params(
        values={"user": form.text("user")},
        arrays={"sender_domains": sender_domain_lines(form) or [""]},
    )
    await _manage(ctx, principal, params, "profile", "setSenderDomains")
