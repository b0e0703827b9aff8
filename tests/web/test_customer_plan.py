"""The customer page's package, whitelabel, IP groups and addresses, and billing date:
shown, changed under distributor.add's rules (errors in the labels' words beside their
fields, nothing changed by a refusal), audited on the dashboard surface, and another
distributor's customer answered like an unknown one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from gridreseller.domain.models import CustomerPlan
from gridreseller.services import audit, customer_plan
from gridreseller.services.context import ServiceContext
from tests.factories import Account, Distributor, Factory, run_coroutine
from tests.web.test_customers import Web, distributor_session, follow, last_event
from tests.web.webclient import WebClient, field_errors, notice, problem


def plan_of(factory: Factory, distributor: Distributor, customer: Account) -> CustomerPlan:
    actor = factory.actor(distributor)
    return run_coroutine(customer_plan.view_plan(factory.ctx, actor, customer.username))


def customer_on(factory: Factory, distributor: Distributor, package: str, **more: str) -> Account:
    """A customer of `distributor` on one of its other packages."""
    return factory.customer(replace(distributor, package=package), **more)


def last_events(ctx: ServiceContext, target: str) -> list[audit.Event]:
    return [e for e in audit.events(ctx, None, None) if e.target == target]


def page_of(customer: Account) -> str:
    return f"/dashboard/customer?{urlencode({'user': customer.username})}"


def change(client: WebClient, customer: Account, name: str, **fields: Any) -> Any:
    """One of the block's forms, posted to the page's own address."""
    client.open(page_of(customer))
    return client.post(page_of(customer), {"user": customer.username, "change": name, **fields})


def test_the_page_shows_the_plan_and_a_form_for_each_part(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    group = factory.ip_group(distributor, "192.0.2.41")
    customer = factory.customer(
        distributor, whitelabel="mail.shown.example", **{"ip_group[]": group}
    )
    page = client.open(page_of(customer)).text
    assert "<dt>Whitelabel domain</dt><dd>mail.shown.example</dd>" in page
    assert f"<dt>IP groups</dt><dd>{group}</dd>" in page
    for name in ("package", "whitelabel", "ip_groups", "billing_date"):
        assert f'<input type="hidden" name="change" value="{name}">' in page
    assert f'<option value="{distributor.package}" selected>' in page
    assert f'value="{group}" checked>' in page


def test_package_whitelabel_and_billing_date_change_and_are_audited(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    other = factory.package(distributor)
    shown = follow(client, change(client, customer, "package", package=other))
    assert notice(shown) == "The package was changed."
    assert plan_of(factory, distributor, customer).package == other
    action, surface, actor, details = last_event(ctx, customer.username)
    assert (action, surface, actor, details) == (
        "customer.package",
        "dashboard",
        distributor.username,
        {"package": other},
    )
    follow(client, change(client, customer, "whitelabel", whitelabel="mail.new.example"))
    assert plan_of(factory, distributor, customer).whitelabel == "mail.new.example"
    assert last_event(ctx, customer.username)[0] == "customer.whitelabel"
    day = (ctx.clock() + timedelta(days=3)).date()
    shown = follow(client, change(client, customer, "billing_date", billing_date=day.isoformat()))
    assert notice(shown) == "The billing date was saved."
    assert plan_of(factory, distributor, customer).billing_date == day
    assert last_event(ctx, customer.username)[3] == {"billing_date": day.isoformat()}
    follow(client, change(client, customer, "billing_date", billing_date=""))
    assert plan_of(factory, distributor, customer).billing_date is None


def test_ip_groups_and_addresses_are_replaced_by_the_ones_ticked(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    first = factory.ip_group(distributor, "192.0.2.51")
    second = factory.ip_group(distributor, "192.0.2.52")
    with_ip = factory.package(distributor, has_ip=True)
    customer = customer_on(factory, distributor, with_ip, **{"ip_group[]": first})
    sent = {"ip_group[]": [second], "ip[]": ["192.0.2.51"]}
    shown = follow(client, change(client, customer, "ip_groups", **sent))
    assert notice(shown) == "The IP groups and addresses were saved."
    plan = plan_of(factory, distributor, customer)
    assert (plan.ip_groups, plan.ips) == ((second,), ("192.0.2.51",))
    assert last_event(ctx, customer.username)[::3] == (
        "customer.ip_groups",
        {"ip_group": [second], "ip": ["192.0.2.51"]},
    )
    follow(client, change(client, customer, "ip_groups"))  # nothing ticked: none
    plan = plan_of(factory, distributor, customer)
    assert (plan.ip_groups, plan.ips) == ((), ())


def test_refusals_say_why_beside_their_field_and_change_nothing(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    stranger = factory.distributor()
    theirs = factory.ip_group(stranger, "192.0.2.61")
    mine = factory.ip_group(distributor, "192.0.2.62")
    customer = factory.customer(distributor)
    before = plan_of(factory, distributor, customer)
    events = len(last_events(ctx, customer.username))
    refusals = {
        "package": (
            {"package": stranger.package},
            "“Package” must be the name of one of your packages",
        ),
        "whitelabel": ({"whitelabel": "nodots"}, "“Whitelabel domain” must be a domain name"),
        "billing_date": (
            {"billing_date": (ctx.clock() - timedelta(days=1)).date().isoformat()},
            "“Billing date” must be between",
        ),
    }
    for name, (fields, message) in refusals.items():
        shown = change(client, customer, name, **fields)
        assert shown.status_code == 400, name
        assert str(shown.url).endswith(page_of(customer))
        (error,) = field_errors(shown, name)[name]
        assert error.startswith(message), error
        if name != "package":  # a choice not offered cannot be shown chosen
            assert f'value="{fields[name]}"' in shown.text  # what was sent, again
    shown = change(
        client, customer, "ip_groups", **{"ip_group[]": [theirs], "ip[]": ["192.0.2.62"]}
    )
    assert shown.status_code == 400
    assert field_errors(shown, "ip_groups") == {
        "ip_group": [f"“IP groups” must name one of your IP groups: {theirs!r}"],
        "ip": ["“IP addresses” is not allowed: the package does not include IP addresses"],
    }
    assert f'value="{mine}">' in shown.text  # the group not sent stays unticked
    assert plan_of(factory, distributor, customer) == before
    assert len(last_events(ctx, customer.username)) == events


def test_a_package_without_ip_addresses_is_refused_while_the_customer_has_some(
    factory: Factory, web: Web
) -> None:
    distributor, client = distributor_session(factory, web)
    factory.ip_group(distributor, "192.0.2.71")
    with_ip = factory.package(distributor, has_ip=True)
    customer = customer_on(factory, distributor, with_ip, **{"ip[]": "192.0.2.71"})
    shown = change(client, customer, "package", package=distributor.package)
    assert shown.status_code == 400
    assert field_errors(shown, "package")["package"][0].startswith(
        "“Package” must include IP addresses while the customer has IP addresses"
    )
    assert plan_of(factory, distributor, customer).package == with_ip


def test_another_distributors_customer_is_not_found(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    stranger = factory.distributor()
    theirs = factory.customer(stranger)
    client.open("/dashboard/customers")
    for name, fields in (("package", {"package": distributor.package}), ("whitelabel", {})):
        shown = client.post(
            page_of(theirs),
            {"user": theirs.username, "change": name, "whitelabel": "a.example", **fields},
        )
        assert (shown.status_code, problem(shown)) == (404, "User not found")
    assert plan_of(factory, stranger, theirs).whitelabel != "a.example"
