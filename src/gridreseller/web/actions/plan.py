"""A customer's package, whitelabel, IP groups and addresses, and billing date
(services/customer_plan.py), and the distributor's own packages and IP groups
(services/catalog.py): the dashboard's own operations, no API call changes these.
Each change reads its form under distributor.add's rules for the same fields."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial

from gridreseller.domain import field_rules
from gridreseller.domain.access import Principal
from gridreseller.domain.models import CustomerPlan, IpGroupView, PackageView
from gridreseller.services import catalog, customer_plan, ip_groups, packages
from gridreseller.services.context import ServiceContext
from gridreseller.web.actions import dashboard_actor
from gridreseller.web.actions.customers import read_user
from gridreseller.web.form_fields import FormReader, text
from gridreseller.web.forms import Form

# A form's change: read, then run by the service (Invalid when the form is refused).
Change = Callable[[ServiceContext, Principal, Form], Awaitable[None]]


async def list_packages(ctx: ServiceContext, principal: Principal) -> list[PackageView]:
    actor = dashboard_actor(principal)
    return (await packages.list_packages(ctx, actor, packages.ListPackages())).packages


async def list_ip_groups(ctx: ServiceContext, principal: Principal) -> list[IpGroupView]:
    return await ip_groups.list_ip_groups(ctx, dashboard_actor(principal))


async def customer_plan_of(ctx: ServiceContext, principal: Principal, user: str) -> CustomerPlan:
    return await customer_plan.view_plan(ctx, dashboard_actor(principal), user)


async def ip_rows(ctx: ServiceContext, principal: Principal) -> list[catalog.IpRow]:
    return await catalog.ip_summaries(ctx, dashboard_actor(principal))


# A customer's plan ------------------------------------------------------------------


async def set_package(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    user = read_user(reader)
    command = customer_plan.SetPackage(user, reader.value("package", text(255), required=True))
    reader.check()
    await customer_plan.set_package(ctx, dashboard_actor(principal), command)


async def set_whitelabel(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    user = read_user(reader)
    rule = partial(field_rules.domain_name, max_length=255)
    command = customer_plan.SetWhitelabel(user, reader.value("whitelabel", rule, required=True))
    reader.check()
    await customer_plan.set_whitelabel(ctx, dashboard_actor(principal), command)


async def set_ip_groups(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    user = read_user(reader)
    command = customer_plan.SetIpGroups(
        user,
        reader.repeated("ip_group", text(255)),
        reader.repeated("ip", field_rules.ip_address),
    )
    reader.check()
    await customer_plan.set_ip_groups(ctx, dashboard_actor(principal), command)


async def set_billing_date(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    user = read_user(reader)
    rule = partial(field_rules.billing_date, today=reader.limits.today)
    command = customer_plan.SetBillingDate(user, reader.value("billing_date", rule, empty=None))
    reader.check()
    await customer_plan.set_billing_date(ctx, dashboard_actor(principal), command)


PLAN_CHANGES: Mapping[str, Change] = {
    "package": set_package,
    "whitelabel": set_whitelabel,
    "ip_groups": set_ip_groups,
    "billing_date": set_billing_date,
}


# The distributor's packages and IP groups --------------------------------------------


async def create_package(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = catalog.NewPackage(
        name=reader.value("name", text(255), required=True),
        description=reader.value("description", text(10_000), empty=None, default=""),
        price=_amount(reader, "price"),
        distributor_price=_amount(reader, "distributor_price"),
        credits=reader.value("credits", field_rules.count, empty=None, default=0),
        overage=_amount(reader, "overage"),
        has_ip=reader.flag("has_ip", default=False),
        has_reseller=reader.flag("has_reseller", default=False),
    )
    reader.check()
    await catalog.create_package(ctx, dashboard_actor(principal), command)


def _amount(reader: FormReader, name: str) -> str:
    """A price as typed (the service judges it as a number); empty: 0."""
    amount: str = reader.value(name, text(40), empty=None, default="0")
    return amount


async def delete_package(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = catalog.PackageName(reader.value("name", text(255), required=True))
    reader.check()
    await catalog.delete_package(ctx, dashboard_actor(principal), command)


async def add_ips(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = catalog.AddIps(
        reader.value("group", text(255), required=True),
        reader.value("address", text(10_000), required=True),
    )
    reader.check()
    await catalog.add_ips(ctx, dashboard_actor(principal), command)


async def remove_ip(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = catalog.RemoveIp(reader.value("address", text(45), required=True))
    reader.check()
    await catalog.remove_ip(ctx, dashboard_actor(principal), command)


async def remove_ip_group(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = catalog.GroupName(reader.value("group", text(255), required=True))
    reader.check()
    await catalog.remove_ip_group(ctx, dashboard_actor(principal), command)


CATALOG_CHANGES: Mapping[str, Change] = {
    "create_package": create_package,
    "delete_package": delete_package,
    "add_ips": add_ips,
    "remove_ip": remove_ip,
    "remove_group": remove_ip_group,
}
