"""A distributor's customer pages (docs/dashboard.md): each action runs the API's service, with
the API's
rules and error messages (beside their fields) and an audit entry on the dashboard surface."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from gridreseller.api.legacy import manage
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.web.messages import in_words
from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.support import errors
from tests.web.webclient import WebClient, all_errors, field_errors, notice

Web = Callable[[], WebClient]


def distributor_session(factory: Factory, web: Web) -> tuple[Distributor, WebClient]:
    distributor = factory.distributor()
    client = web()
    assert client.login(distributor).status_code == 303
    return distributor, client


def last_event(
    ctx: ServiceContext, target: str, action: str | None = None
) -> tuple[str, str, str, dict[str, Any]]:
    """The newest audit entry about `target` (of `action`, when given)."""
    events = [
        e
        for e in audit.events(ctx, None, None)
        if e.target == target and action in (None, e.action)
    ]
    event = events[-1]
    return event.action, event.surface, event.actor, event.details


def follow(client: WebClient, response: Any) -> Any:
    assert response.status_code == 303, response.text
    return client.open(response.headers["location"])


# Adding -------------------------------------------------------------------------------


def test_add_customer_with_packages_and_ip_groups_as_choices(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    group = factory.ip_group(distributor, "198.51.100.7")
    page = client.open("/dashboard/customers/new").text
    assert f'<option value="{distributor.package}"' in page
    assert f'name="ip_group[]" type="checkbox" value="{group}"' in page
    params = customer_params(distributor.package)
    form: dict[str, str | list[str]] = {**params, "ip_group[]": [group], "free_user": "true"}
    shown = follow(client, client.post("/dashboard/customers/new", form))
    assert notice(shown) == "The customer was created."
    row = factory.customer_row(distributor, params["username"])
    assert row is not None and row["city"] == params["city"]
    action, surface, actor, details = last_event(ctx, params["username"])
    assert (action, surface, actor) == ("customer.create", "dashboard", distributor.username)
    assert details["ip_group"] == [group] and details["free_user"] is True
    assert details["password"] == "(changed)"


def test_add_customer_shows_the_apis_errors_beside_their_fields(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    taken = factory.customer(distributor).username
    bad = {
        **customer_params(distributor.package, username=taken),
        "password": "short",
        "confirm_password": "other",
        "email": "not-an-email",
        "whitelabel": "nodots",
        "package": "no-such-package",
        "billing_date": "2000-01-01",
        "first_name": "",
    }
    api = factory.call("distributor.add", "json", distributor, **bad)
    client.open("/dashboard/customers/new")
    shown = client.post("/dashboard/customers/new", bad)
    assert shown.status_code == 400
    assert sorted(all_errors(shown, "customer")) == sorted(
        in_words(e, "customer") for e in errors(api)
    )
    beside = field_errors(shown, "customer")
    assert beside["email"] == ["“Contact email” must be a valid email address"]
    assert beside["first_name"] == ["“First name” must not be empty"]
    assert 'value="not-an-email"' in shown.text  # what was sent, except passwords
    assert 'value="short"' not in shown.text
    assert len(factory.customers_of(distributor)) == 1  # nothing created


# One customer -----------------------------------------------------------------------


def test_customer_page_shows_the_customer_and_a_form_per_change(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor, company="Quill & Co <b>")
    page = client.open("/dashboard/customer", user=customer.username).text
    assert "Quill &amp; Co &lt;b&gt;" in page  # autoescaped
    for change in ("profile", "username", "email", "password", "manage", "limit"):
        assert f'<input type="hidden" name="change" value="{change}">' in page
    assert 'value="disable"' in page and 'value="website_disable"' in page


def test_profile_edit_sends_the_changed_fields_only(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    row = factory.customer_row(distributor, customer.username)
    assert row is not None
    page = client.open("/dashboard/customer", user=customer.username)
    assert page.status_code == 200
    profile = {name: row[name] for name in ("first_name", "last_name", "address", "city")}
    form = {"user": customer.username, **profile, "city": "Leeds"}
    shown = follow(client, client.post("/dashboard/customer/profile", form))
    assert notice(shown) == "The profile was saved."
    assert last_event(ctx, customer.username)[::3] == ("customer.profile", {"city": "Leeds"})
    unchanged = follow(client, client.post("/dashboard/customer/profile", form))
    assert notice(unchanged) == "Nothing was changed."


def test_profile_errors_are_the_apis_beside_their_fields(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    form = {"user": customer.username, "city": "", "zip": "9" * 51}
    shown = client.post("/dashboard/customer/profile", form)
    assert shown.status_code == 400
    api = factory.call(
        "distributor.manage", "json", distributor, method="profile", task="set", **form
    )
    assert field_errors(shown, "profile") == {
        "city": ["“City” must not be empty"],
        "zip": ["“Postal code” must be no more than 50 characters"],
    }
    assert sorted(all_errors(shown, "profile")) == sorted(
        in_words(e, "profile") for e in errors(api)
    )
    row = factory.customer_row(distributor, customer.username)
    assert row is not None and row["city"] != ""


def test_username_email_and_password_changes(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    renamed = unique("renamed") + "@example.com"
    moved = client.post(
        "/dashboard/customer/username", {"user": customer.username, "username": renamed}
    )
    assert moved.headers["location"].startswith("/dashboard/customer?user=renamed")
    assert notice(follow(client, moved)).startswith("The username was changed")
    assert factory.customer_row(distributor, customer.username) is None
    shown = client.post("/dashboard/customer/email", {"user": renamed, "email": "new@example.com"})
    assert notice(follow(client, shown)) == "The contact email was changed."
    new = {"user": renamed, "password": "brand-new-pass", "confirm_password": "brand-new-pass"}
    assert notice(follow(client, client.post("/dashboard/customer/password", new))).startswith(
        "The password was reset"
    )
    login = Account(renamed, "brand-new-pass")
    assert factory.call("credentials/get", "json", login).status_code == 200
    assert last_event(ctx, renamed)[:2] == ("customer.password", "dashboard")


def test_rename_errors_are_the_apis(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    other = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    for wanted, message in [
        ("not-an-email", "“New username” must be a valid email address"),
        ("x@sendgrid.com", "“New username” must not use a reserved domain"),
        (other.username, "“New username” is already taken"),
    ]:
        shown = client.post(
            "/dashboard/customer/username", {"user": customer.username, "username": wanted}
        )
        assert shown.status_code == 400
        assert field_errors(shown, "username") == {"username": [message]}


@pytest.mark.parametrize(
    ("method", "column", "value"),
    [
        ("disable", "active", "false"),
        ("enable", "active", "true"),
        ("website_disable", "website_access", "false"),
        ("website_enable", "website_access", "true"),
    ],
)
def test_sending_and_dashboard_access_switches(
    factory: Factory, web: Web, ctx: ServiceContext, method: str, column: str, value: str
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    shown = client.post("/dashboard/customer/manage", {"user": customer.username, "method": method})
    follow(client, shown)
    row = factory.customer_row(distributor, customer.username)
    assert row is not None and row[column] == value
    assert last_event(ctx, customer.username)[:2] == (f"customer.{method}", "dashboard")


def test_the_switches_take_no_other_method(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    for method in ("auth", "password", "profile", ""):
        shown = client.post(
            "/dashboard/customer/manage", {"user": customer.username, "method": method}
        )
        assert shown.status_code == 400, method
        assert "method must be one of enable, disable, website_enable, website_disable" in (
            all_errors(shown, "flags")
        )


def test_delete_asks_first_then_deletes(factory: Factory, web: Web, ctx: ServiceContext) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    confirm = client.open("/dashboard/customer/delete", user=customer.username)
    assert "This cannot be undone" in confirm.text
    assert factory.customer_row(distributor, customer.username) is not None  # a GET deletes nothing
    done = client.post("/dashboard/customer/delete", {"user": customer.username})
    assert notice(follow(client, done)) == "The customer was deleted."
    assert factory.customer_row(distributor, customer.username) is None
    assert last_event(ctx, customer.username)[:2] == ("customer.delete", "dashboard")
    assert client.get("/dashboard/customer", user=customer.username).status_code == 404


# The list -----------------------------------------------------------------------------


# Sending credits (docs/api.md, sending credits)
# ------------------------------------------------------------------


def test_a_distributor_sets_and_sees_a_customers_limit(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    page = client.open("/dashboard/customer", user=customer.username)
    assert "No limit" in page.text
    here = f"/dashboard/customer?{urlencode({'user': customer.username})}"
    form = {"user": customer.username, "change": "limit", "task": "total", "credits": "120"}
    shown = follow(client, client.post(here, form))
    assert notice(shown) == "The sending limit was saved."
    assert "<dt>Credits left</dt><dd>120</dd>" in shown.text
    action, surface, _actor, details = last_event(ctx, customer.username)
    assert (action, surface, details["task"]) == ("customer.limit", "dashboard", "total")
    take = {"user": customer.username, "task": "decrement", "credits": "20"}
    shown = follow(client, client.post("/dashboard/customer/limit", take))  # for scripts
    assert "<dt>Credits left</dt><dd>100</dd>" in shown.text


def test_limit_errors_are_the_apis_beside_their_fields(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    form = {"user": customer.username, "task": "recurring", "credits": "0", "period": "yearly"}
    here = f"/dashboard/customer?{urlencode({'user': customer.username})}"
    shown = client.post(here, {**form, "change": "limit"})
    assert shown.status_code == 400
    assert field_errors(shown, "limit_recurring") == {
        "credits": ["“Credits each period” must be a positive integer"],
        "period": ["“Period” must be one of daily, weekly, monthly"],
    }
    api = factory.call("distributor.manage", "json", distributor, method="limit", **form)
    assert sorted(all_errors(shown, "limit_recurring")) == sorted(
        in_words(e, "limit_recurring") for e in errors(api)
    )


def test_a_customer_sees_its_remaining_credits(factory: Factory, web: Web) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    factory.run(
        manage.MANAGE,
        distributor,
        method="limit",
        task="total",
        user=customer.username,
        credits="42",
    )
    client = web()
    assert client.login(customer).status_code == 303
    page = client.open("/dashboard/account")
    assert page.status_code == 200
    assert "<dt>Credits left</dt><dd>42</dd>" in page.text


def _form_of(page: str, heading: str) -> str:
    """The HTML of the limit form under that heading."""
    start = page.index(f"<h3>{heading}</h3>")
    return page[start : page.index("</form>", start)]


def test_each_limit_task_has_a_form_with_only_its_fields(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    page = client.open("/dashboard/customer", user=customer.username).text
    names = {
        heading: re.findall(r' name="([a-z_]+)"', _form_of(page, heading))
        for heading in ("Set a total", "Add or take away", "Reset every period")
    }
    assert names == {
        "Set a total": ["csrf_token", "user", "change", "task", "credits"],
        "Add or take away": ["csrf_token", "user", "change", "credits", "task", "task"],
        "Reset every period": [
            *("csrf_token", "user", "change", "task", "credits", "period"),
            *("startdate", "enddate", "initial_credits"),
        ],
    }
    assert "<h3>Remove the limit</h3>" not in page  # no limit to remove yet
    assert "YYYY" not in _form_of(page, "Reset every period")  # the picker shows its own format


def test_a_refused_form_is_shown_at_the_pages_own_address(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    here = f"/dashboard/customer?{urlencode({'user': customer.username})}"
    page = client.open(here).text
    assert page.count(f'action="{html.escape(here)}"') == 13  # every form of the page
    form = {"user": customer.username, "change": "email", "email": "not-an-email"}
    shown = client.post(here, form)
    assert shown.status_code == 400 and str(shown.url).endswith(here)
    assert field_errors(shown, "email") == {
        "email": ["“Contact email” must be a valid email address"]
    }
    assert 'value="not-an-email"' in shown.text
    unknown = client.post(here, {"user": customer.username, "change": "everything"})
    assert unknown.status_code == 400
    assert (
        "change must be one of profile, username, email, password, manage, limit, package, "
        "whitelabel, ip_groups, billing_date" in unknown.text
    )


def test_the_customer_page_lists_its_credentials(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    bare = factory.customer(distributor)
    smtp = factory.credential(customer, email=1)
    viewer = factory.credential(customer, web=1, api=1)
    page = client.open("/dashboard/customer", user=customer.username).text
    rows = re.findall(
        r'<td data-label="Name"><strong>([^<]*)</strong></td>\s*'
        r'<td data-label="Permissions">(.*?)</td>',
        page,
        re.S,
    )
    shown = {name: re.findall(r'<li class="badge plain">(\w+)</li>', cell) for name, cell in rows}
    assert shown == {smtp.username: ["email"], viewer.username: ["web", "api"]}
    assert "No credentials" in client.open("/dashboard/customer", user=bare.username).text
