"""A distributor's customers (the distributor.* calls): one customer's page with
its forms, adding one, deleting one after a confirmation step (the list: customer_list.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.domain.errors import Invalid
from gridreseller.domain.rules import PROFILE_LIMITS
from gridreseller.web.actions import credentials as credential_actions
from gridreseller.web.actions import customers as actions
from gridreseller.web.actions import plan as plan_actions
from gridreseller.web.dashboard import PREFIX, Dashboard, Handler, Visit, redirect
from gridreseller.web.forms import Form
from gridreseller.web.render import FormState
from gridreseller.web.views.customer_plan import PLAN_FIELDS, plan_action, plan_page, plan_states

LIMIT_FIELDS = ("task", "credits", "period", "startdate", "enddate", "initial_credits")
# The limit's small forms, one per kind of task, each with the fields its task reads.
LIMIT_FORMS = {
    "total": "limit_total",
    "increment": "limit_change",
    "decrement": "limit_change",
    "recurring": "limit_recurring",
    "none": "limit_none",
}
MANAGE = Capability.MANAGE_CUSTOMERS
PROFILE_FIELDS = tuple(PROFILE_LIMITS)
NEW_CUSTOMER_FIELDS = (
    "username",
    "password",
    "confirm_password",
    "email",
    *PROFILE_FIELDS,
    "package",
    "whitelabel",
    "ip_group",
    "ip",
    "free_user",
    "billing_date",
)


def routes(dashboard: Dashboard) -> list[Route]:
    return [
        dashboard.route("/customers/new", MANAGE, show=new_customer, act=add_customer),
        # The page's forms post to the page itself (`change` says which), so a refused
        # one is shown again at the page's own address, not at an action's.
        dashboard.route("/customer", MANAGE, show=customer_page, act=change_customer),
        # Each change at a path of its own too, for scripts.
        *(
            dashboard.route(f"/customer/{change}", MANAGE, act=handler)
            for change, handler in CHANGES.items()
        ),
        dashboard.route("/customer/delete", MANAGE, show=confirm_delete, act=delete_customer),
    ]


# Adding -----------------------------------------------------------------------------


async def new_customer(visit: Visit, refused: FormState | None = None) -> Response:
    """The form of distributor.add; packages and IP groups as choices."""
    packages = await plan_actions.list_packages(visit.ctx, visit.principal)
    groups = await plan_actions.list_ip_groups(visit.ctx, visit.principal)
    state = refused or FormState("customer")
    status = 400 if refused else 200
    return visit.render("customer_new.html", status, packages=packages, groups=groups, form=state)


async def add_customer(visit: Visit) -> Response:
    try:
        username = await actions.add_customer(visit.ctx, visit.principal, visit.form)
    except Invalid as error:
        refused = FormState.refused("customer", visit.form, error, NEW_CUSTOMER_FIELDS)
        return await new_customer(visit, refused)
    return redirect("/customer", user=username, notice="customer_added")


# One customer -----------------------------------------------------------------------


async def customer_page(visit: Visit) -> Response:
    return await _show_customer(visit, visit.query("user"))


async def change_customer(visit: Visit) -> Response:
    """One of the page's forms, by its `change` field."""
    handler = CHANGES.get(visit.form.text("change"))
    if handler is None:
        raise Invalid([f"change must be one of {', '.join(CHANGES)}"])
    return await handler(replace(visit, form=visit.form.without("change")))


async def _show_customer(visit: Visit, user: str, refused: FormState | None = None) -> Response:
    """Its details and a form per change; a refused form shows what was sent, and why."""
    customer = await actions.find_customer(visit.ctx, visit.principal, user)
    forms = {
        "profile": FormState("profile", {name: customer[name] for name in PROFILE_FIELDS}),
        "username": FormState("username", {"username": customer["username"]}),
        "email": FormState("email", {"email": customer["email"]}),
        "password": FormState("password"),
        "flags": FormState("flags"),
        **{name: FormState(name) for name in LIMIT_FORMS.values()},
    }
    plan = await plan_page(visit, customer["username"])
    forms.update(plan_states(plan["plan"]))
    if refused is not None:
        forms[refused.name] = refused
    status = 400 if refused else 200
    limit = await actions.customer_limit(visit.ctx, visit.principal, customer["username"])
    logins = await credential_actions.customer_credentials(
        visit.ctx, visit.principal, customer["username"]
    )
    here = f"{PREFIX}/customer?{urlencode({'user': customer['username']})}"
    return visit.render(
        "customer.html",
        status,
        customer=customer,
        states=forms,
        limit=limit.limit,
        here=here,
        credentials=logins,
        **plan,
    )


# What each of the customer page's forms does: the call, then where to go and what to say.
CustomerAction = Callable[[Visit], Awaitable[tuple[str, str]]]


def _on_customer(
    act: CustomerAction, form_name: str | Callable[[Form], str], fields: tuple[str, ...]
) -> Handler:
    async def handle(visit: Visit) -> Response:
        try:
            user, notice = await act(visit)
        except Invalid as error:
            name = form_name if isinstance(form_name, str) else form_name(visit.form)
            refused = FormState.refused(name, visit.form, error, fields)
            return await _show_customer(visit, visit.form.text("user"), refused)
        return redirect("/customer", user=user, notice=notice)

    return handle


async def _save_profile(visit: Visit) -> tuple[str, str]:
    changed = await actions.save_profile(visit.ctx, visit.principal, visit.form)
    return visit.form.text("user"), "profile_saved" if changed else "nothing_changed"


async def _set_username(visit: Visit) -> tuple[str, str]:
    return await actions.set_username(visit.ctx, visit.principal, visit.form), "username_changed"


async def _set_email(visit: Visit) -> tuple[str, str]:
    await actions.set_email(visit.ctx, visit.principal, visit.form)
    return visit.form.text("user"), "email_changed"


async def _reset_password(visit: Visit) -> tuple[str, str]:
    await actions.reset_password(visit.ctx, visit.principal, visit.form)
    return visit.form.text("user"), "password_reset"


async def _set_flag(visit: Visit) -> tuple[str, str]:
    method = await actions.set_flag(visit.ctx, visit.principal, visit.form)
    return visit.form.text("user"), method


async def _set_limit(visit: Visit) -> tuple[str, str]:
    await actions.set_limit(visit.ctx, visit.principal, visit.form)
    return visit.form.text("user"), "limit_saved"


def _limit_form(form: Form) -> str:
    """The small form of the task sent (a task not offered: the first form's)."""
    return LIMIT_FORMS.get(form.text("task"), LIMIT_FORMS["total"])


# The customer page's forms: what each `change` does, and which form shows its errors.
CHANGES: dict[str, Handler] = {
    "profile": _on_customer(_save_profile, "profile", PROFILE_FIELDS),
    "username": _on_customer(_set_username, "username", ("username",)),
    "email": _on_customer(_set_email, "email", ("email",)),
    "password": _on_customer(_reset_password, "password", ("password", "confirm_password")),
    "manage": _on_customer(_set_flag, "flags", ()),
    "limit": _on_customer(_set_limit, _limit_form, LIMIT_FIELDS),
    **{
        change: _on_customer(plan_action(change), change, fields)
        for change, fields in PLAN_FIELDS.items()
    },
}


# Deleting ---------------------------------------------------------------------------


async def confirm_delete(visit: Visit) -> Response:
    """The confirmation step: nothing is deleted by a GET."""
    customer = await actions.find_customer(visit.ctx, visit.principal, visit.query("user"))
    return visit.render(
        "confirm.html",
        title="Delete customer",
        question=(
            f"Delete {customer['username']}? The customer and its credentials can no "
            "longer log in anywhere, and the username stays reserved. This cannot be undone."
        ),
        action="/customer/delete",
        fields={"user": customer["username"]},
        button="Delete customer",
        cancel=("/customer", {"user": customer["username"]}),
    )


async def delete_customer(visit: Visit) -> Response:
    await actions.delete_customer(visit.ctx, visit.principal, visit.form)
    return redirect("/customers", notice="customer_deleted")
