"""The customer page's block for the package, whitelabel, IP groups and addresses, and
billing date: what it shows, and what each of its forms does (services/customer_plan.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gridreseller.domain.models import CustomerPlan
from gridreseller.web.actions import plan as actions
from gridreseller.web.dashboard import Visit
from gridreseller.web.render import FormState

# Each form (its `change` and its FormState's name) with the fields it sends.
PLAN_FIELDS: dict[str, tuple[str, ...]] = {
    "package": ("package",),
    "whitelabel": ("whitelabel",),
    "ip_groups": ("ip_group", "ip"),
    "billing_date": ("billing_date",),
}
NOTICES = {
    "package": "package_changed",
    "whitelabel": "whitelabel_changed",
    "ip_groups": "ip_groups_changed",
    "billing_date": "billing_date_changed",
}


async def plan_page(visit: Visit, user: str) -> dict[str, Any]:
    """What the block shows: the customer's plan and the distributor's choices."""
    return {
        "plan": await actions.customer_plan_of(visit.ctx, visit.principal, user),
        "packages": await actions.list_packages(visit.ctx, visit.principal),
        "groups": await actions.list_ip_groups(visit.ctx, visit.principal),
    }


def plan_states(plan: CustomerPlan) -> dict[str, FormState]:
    """The block's forms filled with the customer's current values."""
    billing = plan.billing_date.isoformat() if plan.billing_date else ""
    return {
        "package": FormState("package", {"package": plan.package}),
        "whitelabel": FormState("whitelabel", {"whitelabel": plan.whitelabel}),
        "ip_groups": FormState("ip_groups", lists={"ip_group[]": plan.ip_groups, "ip[]": plan.ips}),
        "billing_date": FormState("billing_date", {"billing_date": billing}),
    }


def plan_action(change: str) -> Callable[[Visit], Awaitable[tuple[str, str]]]:
    """The form's service call: the customer it was about, and the notice to show."""
    run = actions.PLAN_CHANGES[change]

    async def act(visit: Visit) -> tuple[str, str]:
        await run(visit.ctx, visit.principal, visit.form)
        return visit.form.text("user"), NOTICES[change]

    return act
