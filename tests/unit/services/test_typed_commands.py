"""The services called with their typed commands, as the dashboard, the CLI and a JSON
surface call them (no legacy parameters): each answers its own result type, and the
business rules the legacy declarations also check hold on this path too."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest

from gridreseller.domain import field_rules
from gridreseller.domain.errors import Invalid, NotFound, Problem
from gridreseller.domain.models import CredentialList, CredentialView, CustomerList, Success
from gridreseller.services import credentials, credits, manage, senders
from tests.factories import Factory, run_coroutine, unique


def refused(coroutine: Coroutine[Any, Any, object]) -> list[Problem]:
    with pytest.raises(Invalid) as raised:
        run_coroutine(coroutine)
    return raised.value.problems


def test_flag_changes_are_functions_of_their_own(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    actor = factory.actor(distributor)
    command = manage.FlagChange(customer.username)
    assert run_coroutine(manage.disable(factory.ctx, actor, command)) == Success()
    found = run_coroutine(
        manage.list_customers(
            factory.ctx, actor, manage.ListCustomers(customer.username, *manage.ALL_ROWS)
        )
    )
    assert isinstance(found, CustomerList)
    (row,) = found.rows
    assert row[manage.FIELD_INDEX["active"]] == "false"
    with pytest.raises(NotFound):
        run_coroutine(manage.enable(factory.ctx, actor, manage.FlagChange("nobody@example.com")))


def test_credentials_are_listed_and_found_with_their_own_result_types(factory: Factory) -> None:
    distributor = factory.distributor()
    actor = factory.actor(distributor)
    name = unique("cred")
    added = credentials.AddCredential(name, "cred-secret-1", {"email": 1})
    run_coroutine(credentials.add_credential(factory.ctx, actor, added))
    listed = run_coroutine(
        credentials.list_credentials(factory.ctx, actor, credentials.ListCredentials())
    )
    assert isinstance(listed, CredentialList)
    assert [c.name for c in listed.credentials] == [name]
    found = run_coroutine(
        credentials.find_credential(factory.ctx, actor, credentials.FindCredential(name.upper()))
    )
    assert isinstance(found, CredentialView)
    assert (found.name, found.permissions.email, found.permissions.api) == (name, 1, 0)
    with pytest.raises(NotFound):
        run_coroutine(
            credentials.find_credential(factory.ctx, actor, credentials.FindCredential("other"))
        )


def test_a_recurring_limit_may_not_end_before_it_starts(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    actor = factory.actor(distributor)
    today = factory.ctx.clock().date()
    yesterday = today - timedelta(days=1)
    command = credits.SetRecurring(customer.username, 10, "daily", None, yesterday, None)
    assert refused(credits.set_recurring(factory.ctx, actor, command)) == [
        Problem("enddate", "enddate must not be before startdate")
    ]
    retrieve = credits.OfCustomer(customer.username)
    assert run_coroutine(credits.retrieve(factory.ctx, actor, retrieve)).limit is None
    fine = command._replace(enddate=today)
    assert run_coroutine(credits.set_recurring(factory.ctx, actor, fine)) == Success()


def test_a_profile_change_needs_a_field(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    actor = factory.actor(distributor)
    nothing = manage.SetProfile(customer.username, *(None,) * 10)
    (problem,) = refused(manage.set_profile(factory.ctx, actor, nothing))
    assert problem.message.startswith("at least one of first_name, last_name")


def test_at_most_so_many_sender_domains(factory: Factory) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    actor = factory.actor(distributor)
    many = [f"d{n}.example.com" for n in range(51)]
    command = senders.SetSenderDomains(customer.username, many)
    assert refused(senders.set_sender_domains(factory.ctx, actor, command)) == [
        Problem("sender_domains", "sender_domains[] must have at most 50 entries")
    ]
    allowed = command._replace(sender_domains=many[:50])
    assert run_coroutine(senders.set_sender_domains(factory.ctx, actor, allowed)) == Success()


@pytest.mark.parametrize(
    ("rule", "raw", "message"),
    [
        (
            partial(field_rules.text, max_length=5),
            "abcdef",
            "Name must be no more than 5 characters",
        ),
        (field_rules.email, "not-an-address", "Name must be a valid email address"),
        (
            partial(field_rules.password, min_length=8),
            "short",
            "Name must be at least 8 characters",
        ),
        (field_rules.domain_name, "-bad-", "Name must be a domain name"),
        (field_rules.positive_count, "0", "Name must be a positive integer"),
        (
            partial(field_rules.confirmation, of="Password", expected="x"),
            "y",
            "Name must match Password",
        ),
        (
            partial(field_rules.billing_date, today=date(2011, 1, 31)),
            "2011-03-01",
            "Name must be between 2011-01-31 and 2011-02-28",
        ),
    ],
)
def test_the_shared_rules_name_the_field_they_are_given(
    rule: Callable[[str, str], object], raw: str, message: str
) -> None:
    with pytest.raises(field_rules.FieldProblem) as raised:
        rule("Name", raw)
    assert str(raised.value) == message


def test_the_shared_rules_return_the_value_kept() -> None:
    assert field_rules.ip_address("Address", "2001:DB8::1") == "2001:db8::1"
    assert field_rules.login_email("Login", "ann@example.com", 100, ()) == "ann@example.com"
    with pytest.raises(field_rules.FieldProblem, match="Login must not use a reserved domain"):
        field_rules.login_email("Login", "ann@example.com", 100, ("example.com",))
