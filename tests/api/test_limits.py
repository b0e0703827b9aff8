"""distributor.manage method=limit (docs/api.md, sending credits): every task and rule, in both
formats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
import pytest

from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from tests.factories import Account, Distributor, Factory
from tests.support import Clock, errors, message, parse

TODAY = datetime(2026, 5, 20, 12, 0, 0)


@pytest.fixture
def today(clock: Clock) -> datetime:
    clock.now = TODAY
    return TODAY


def limit(
    factory: Factory, fmt: str, distributor: Account, task: str, **params: Any
) -> httpx.Response:
    return factory.call("distributor.manage", fmt, distributor, method="limit", task=task, **params)


def retrieved(factory: Factory, fmt: str, distributor: Account, user: str) -> dict[str, str]:
    response = limit(factory, fmt, distributor, "retrieve", user=user)
    assert response.status_code == 200, response.text
    data = parse(response)
    return data if isinstance(data, dict) else {}


def setup(factory: Factory) -> tuple[Distributor, Account]:
    distributor = factory.distributor()
    return distributor, factory.customer(distributor)


def test_a_customer_without_a_limit_retrieves_nothing(factory: Factory, fmt: str) -> None:
    distributor, customer = setup(factory)
    response = limit(factory, fmt, distributor, "retrieve", user=customer.username)
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == {}
    else:
        assert response.content.endswith(b"<credits/>\n")


def test_total_then_increment_and_decrement(factory: Factory, fmt: str, today: datetime) -> None:
    distributor, customer = setup(factory)
    user = customer.username
    assert message(limit(factory, fmt, distributor, "total", user=user, credits="10")) == "success"
    assert retrieved(factory, fmt, distributor, user) == {
        "credit": "10",
        "credit_remain": "10",
        "last_reset": "2026-05-20",
    }
    assert limit(factory, fmt, distributor, "increment", user=user, credits="5").status_code == 200
    assert limit(factory, fmt, distributor, "decrement", user=user, credits="3").status_code == 200
    assert retrieved(factory, fmt, distributor, user)["credit_remain"] == "12"
    assert limit(factory, fmt, distributor, "decrement", user=user, credits="99").status_code == 200
    shown = retrieved(factory, fmt, distributor, user)
    assert (shown["credit"], shown["credit_remain"]) == ("10", "0")  # never below 0
    assert limit(factory, fmt, distributor, "total", user=user, credits="0").status_code == 200


def test_none_removes_the_limit(factory: Factory, fmt: str) -> None:
    distributor, customer = setup(factory)
    user = customer.username
    assert limit(factory, fmt, distributor, "total", user=user, credits="10").status_code == 200
    assert message(limit(factory, fmt, distributor, "none", user=user)) == "success"
    assert retrieved(factory, fmt, distributor, user) == {}
    assert limit(factory, fmt, distributor, "none", user=user).status_code == 200


def test_recurring_sets_the_initial_credits_now(
    factory: Factory, fmt: str, clock: Clock, today: datetime
) -> None:
    distributor, customer = setup(factory)
    user = customer.username
    response = limit(
        factory,
        fmt,
        distributor,
        "recurring",
        user=user,
        credits="100",
        period="weekly",
        startdate="2026-05-25",
        initial_credits="7",
    )
    assert response.status_code == 200, response.text
    assert retrieved(factory, fmt, distributor, user)["credit_remain"] == "7"
    clock.now = datetime(2026, 6, 2, 0, 0, 0)  # past the first boundary, 2026-06-01
    assert retrieved(factory, fmt, distributor, user) == {
        "credit": "100",
        "credit_remain": "100",
        "last_reset": "2026-06-01",
    }


@pytest.mark.parametrize(
    ("task", "params", "problem"),
    [
        ("total", {}, "credits is required"),
        ("total", {"credits": "-1"}, "credits must be a non-negative integer"),
        ("total", {"credits": "ten"}, "credits must be a non-negative integer"),
        ("increment", {"credits": "0"}, "credits must be a positive integer"),
        ("decrement", {"credits": "1.5"}, "credits must be a positive integer"),
        ("recurring", {"credits": "5"}, "period is required"),
        (
            "recurring",
            {"credits": "5", "period": "yearly"},
            "period must be one of daily, weekly, monthly",
        ),
        (
            "recurring",
            {"credits": "5", "period": "daily", "startdate": "2026-13-01"},
            "startdate must be a date in YYYY-mm-dd format",
        ),
        (
            "recurring",
            {"credits": "5", "period": "daily", "enddate": "tomorrow"},
            "enddate must be a date in YYYY-mm-dd format",
        ),
        (
            "recurring",
            {"credits": "5", "period": "daily", "startdate": "2026-06-10", "enddate": "2026-06-09"},
            "enddate must not be before startdate",
        ),
        (
            "recurring",
            {"credits": "5", "period": "daily", "enddate": "2026-05-19"},
            "enddate must not be before startdate",
        ),
        (
            "recurring",
            {"credits": "5", "period": "daily", "initial_credits": "0"},
            "initial_credits must be a positive integer",
        ),
        (
            "someday",
            {},
            "task must be one of retrieve, none, total, increment, decrement, recurring",
        ),
    ],
)
def test_bad_parameters_are_400_and_change_nothing(
    factory: Factory, fmt: str, today: datetime, task: str, params: dict[str, str], problem: str
) -> None:
    distributor, customer = setup(factory)
    user = customer.username
    assert limit(factory, fmt, distributor, "total", user=user, credits="10").status_code == 200
    response = limit(factory, fmt, distributor, task, user=user, **params)
    assert response.status_code == 400
    assert problem in errors(response)
    assert retrieved(factory, fmt, distributor, user)["credit_remain"] == "10"


def test_adjusting_without_a_limit_is_an_error_on_user(factory: Factory, fmt: str) -> None:
    distributor, customer = setup(factory)
    for task in ("increment", "decrement"):
        response = limit(factory, fmt, distributor, task, user=customer.username, credits="1")
        assert response.status_code == 400
        assert errors(response) == ["user has no sending limit"]


def test_another_distributors_customer_answers_as_unknown(factory: Factory, fmt: str) -> None:
    distributor, _ = setup(factory)
    _, stranger = setup(factory)
    for task, params in [("retrieve", {}), ("total", {"credits": "1"}), ("none", {})]:
        response = limit(factory, fmt, distributor, task, user=stranger.username, **params)
        assert response.status_code == 404
        assert errors(response) == ["User not found"]
    assert limit(factory, fmt, distributor, "retrieve").status_code == 400  # user is required


def test_every_change_is_audited(factory: Factory, ctx: ServiceContext) -> None:
    distributor, customer = setup(factory)
    user = customer.username
    for task, params in [
        ("total", {"credits": "10"}),
        ("increment", {"credits": "2"}),
        ("recurring", {"credits": "5", "period": "monthly"}),
        ("none", {}),
    ]:
        assert limit(factory, "json", distributor, task, user=user, **params).status_code == 200
    entries = [
        e
        for e in audit.events(ctx, None, None)
        if e.target == user and e.action == "customer.limit"
    ]
    assert [e.details["task"] for e in entries] == ["total", "increment", "recurring", "none"]
    assert entries[2].details["period"] == "monthly"
    assert date.fromisoformat(str(entries[2].details["startdate"]))
