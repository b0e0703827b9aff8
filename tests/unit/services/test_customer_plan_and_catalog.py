"""The dashboard's own operations, on both databases: a customer's package, whitelabel,
IP groups and addresses, billing date (services/customer_plan.py), and a distributor's
packages and IP groups (services/catalog.py), each run as the dashboard runs it: its
form read into the command (web/actions/plan.py), then the service. Every refusal
changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.errors import Invalid, NotFound, Problem
from gridreseller.domain.models import CustomerPlan
from gridreseller.services import audit, catalog, customer_plan, operator
from gridreseller.services.context import ServiceContext
from gridreseller.web.actions import plan as forms
from gridreseller.web.actions.plan import Change
from gridreseller.web.forms import Form
from tests.factories import Account, Distributor, Factory, form_pairs, run_coroutine, unique


@pytest.fixture
def factory(ctx: ServiceContext) -> Factory:
    """On the backend under test (the package's own fixture is SQLite only)."""
    return Factory(ctx)


def plan(factory: Factory, distributor: Distributor, customer: Account) -> CustomerPlan:
    actor = factory.actor(distributor)
    return run_coroutine(customer_plan.view_plan(factory.ctx, actor, customer.username))


def last_event(ctx: ServiceContext, target: str) -> tuple[str, dict[str, Any]]:
    event = [e for e in audit.events(ctx, None, None) if e.target == target][-1]
    return event.action, event.details


def principal(factory: Factory, account: Account) -> Principal:
    login = factory.ctx.identity.authenticate(
        account.username, account.password, "-", Purpose.DASHBOARD
    )
    return run_coroutine(login)


def run(factory: Factory, change: Change, account: Account, **fields: Any) -> None:
    """The change as `account`'s dashboard session makes it, with these form fields."""
    form = Form(tuple(form_pairs(**fields)))
    admitted = principal(factory, account)

    async def submit() -> None:
        await change(factory.ctx, admitted, form)

    run_coroutine(submit())


def problems(factory: Factory, change: Change, account: Account, **fields: Any) -> list[Problem]:
    """The problems a change refused its form with (it must refuse it)."""
    with pytest.raises(Invalid) as raised:
        run(factory, change, account, **fields)
    return raised.value.problems


def not_found(factory: Factory, change: Change, account: Account, **fields: Any) -> None:
    """The "User not found" a change answered (it must answer one)."""
    with pytest.raises(NotFound) as raised:
        run(factory, change, account, **fields)
    assert raised.value.message == "User not found"


def test_each_part_of_the_plan_changes_and_is_audited(factory: Factory) -> None:
    distributor = factory.distributor()
    group = factory.ip_group(distributor, "192.0.2.201")
    with_ip = factory.package(distributor, has_ip=True)
    customer = factory.customer(distributor)
    user = customer.username
    run(factory, forms.set_package, distributor, user=user, package=with_ip)
    assert last_event(factory.ctx, user) == ("customer.package", {"package": with_ip})
    run(factory, forms.set_whitelabel, distributor, user=user, whitelabel="m.example.org")
    run(
        factory,
        forms.set_ip_groups,
        distributor,
        user=user,
        ip_group=[group],
        ip=["192.0.2.201"],
    )
    assert last_event(factory.ctx, user) == (
        "customer.ip_groups",
        {"ip_group": [group], "ip": ["192.0.2.201"]},
    )
    day = factory.ctx.clock().date() + timedelta(days=30)
    run(
        factory,
        forms.set_billing_date,
        distributor,
        user=user,
        billing_date=day.isoformat(),
    )
    assert plan(factory, distributor, customer) == CustomerPlan(
        with_ip, True, "m.example.org", (group,), ("192.0.2.201",), day
    )
    run(factory, forms.set_billing_date, distributor, user=user, billing_date="")
    assert plan(factory, distributor, customer).billing_date is None


def test_the_plans_refusals_are_adds_and_change_nothing(factory: Factory) -> None:
    distributor = factory.distributor()
    stranger = factory.distributor()
    theirs = factory.ip_group(stranger, "192.0.2.211")
    customer = factory.customer(distributor)
    before = plan(factory, distributor, customer)
    user = customer.username
    assert problems(
        factory, forms.set_package, distributor, user=user, package=stranger.package
    ) == [Problem("package", "package must be the name of one of your packages")]
    assert problems(factory, forms.set_whitelabel, distributor, user=user, whitelabel="") == [
        Problem("whitelabel", "whitelabel must not be empty")
    ]
    late = (factory.ctx.clock().date() + timedelta(days=40)).isoformat()
    (late_problem,) = problems(
        factory, forms.set_billing_date, distributor, user=user, billing_date=late
    )
    assert late_problem.field == "billing_date"
    assert problems(
        factory,
        forms.set_ip_groups,
        distributor,
        user=user,
        ip_group=[theirs],
        ip=["192.0.2.211"],
    ) == [
        Problem("ip_group", f"ip_group[] must name one of your IP groups: {theirs!r}"),
        Problem("ip", "ip[] must be one of your IP addresses: 192.0.2.211"),
        Problem("ip", "ip[] is not allowed: the package does not include IP addresses"),
    ]
    assert plan(factory, distributor, customer) == before


@pytest.mark.parametrize("change", [forms.set_package, forms.set_whitelabel])
def test_another_distributors_or_a_deleted_customer_is_not_found(
    factory: Factory, change: Change
) -> None:
    distributor = factory.distributor()
    stranger = factory.distributor()
    for customer in (factory.customer(stranger), factory.deleted_customer(distributor)):
        fields = {"package": distributor.package, "whitelabel": "x.example.org"}
        not_found(factory, change, distributor, user=customer.username, **fields)
    with pytest.raises(NotFound):
        plan(factory, distributor, factory.customer(stranger))


def test_packages_are_created_and_deleted_under_the_operators_rules(factory: Factory) -> None:
    distributor = factory.distributor()
    name = unique("plan")
    run(
        factory,
        forms.create_package,
        distributor,
        name=name,
        price="2.50",
        credits="10",
        has_reseller="true",
    )
    assert last_event(factory.ctx, name)[0] == "package.create"
    (row,) = [r for r in operator.packages(factory.ctx, distributor.username) if r.name == name]
    assert (str(row.price), row.credits, row.has_reseller) == ("2.50", 10, True)
    assert problems(factory, forms.create_package, distributor, name=name, overage="-1") == [
        Problem("overage", "overage must be a non-negative number")
    ]
    assert problems(factory, forms.create_package, distributor, name=name) == [
        Problem("name", f"name is taken: you have a package {name!r}")
    ]
    factory.customer(distributor)
    (used,) = problems(factory, forms.delete_package, distributor, name=distributor.package)
    assert used.message.startswith(f"package {distributor.package!r} is in use by 1 live customer")
    stranger = factory.distributor()
    assert problems(factory, forms.delete_package, distributor, name=stranger.package) == [
        Problem("name", catalog.NO_SUCH_PACKAGE)
    ]
    run(factory, forms.delete_package, distributor, name=name)
    assert last_event(factory.ctx, name) == ("package.delete", {"deleted_customer_profiles": 0})
    names = {r.name for r in operator.packages(factory.ctx, distributor.username)}
    assert names == {distributor.package}


def test_ip_groups_are_changed_under_the_operators_rules(factory: Factory) -> None:
    distributor = factory.distributor(has_ip=True)
    stranger = factory.distributor()
    theirs = factory.ip_group(stranger, "192.0.2.221")
    group = unique("pool")
    run(
        factory,
        forms.add_ips,
        distributor,
        group=group,
        address="192.0.2.222 192.0.2.223",
    )
    assert last_event(factory.ctx, group) == (
        "ip.add",
        {"addresses": ["192.0.2.222", "192.0.2.223"]},
    )
    assert problems(factory, forms.add_ips, distributor, group=group, address="192.0.2.221") == [
        Problem("address", "address 192.0.2.221 already belongs to another IP group")
    ]
    customer = factory.customer(distributor, **{"ip[]": "192.0.2.222"})
    (used,) = problems(factory, forms.remove_ip, distributor, address="192.0.2.222")
    assert used.message == f"192.0.2.222 is in use by 1 live customer ({customer.username})"
    assert problems(factory, forms.remove_ip_group, distributor, group=theirs) == [
        Problem("group", catalog.NO_SUCH_GROUP)
    ]
    run(factory, forms.remove_ip, distributor, address="192.0.2.223")
    rows = {(r.group, r.address) for r in operator.ip_addresses(factory.ctx, distributor.username)}
    assert rows == {(group, "192.0.2.222")}
    assert {
        (r.group, r.address) for r in operator.ip_addresses(factory.ctx, stranger.username)
    } == {(theirs, "192.0.2.221")}
