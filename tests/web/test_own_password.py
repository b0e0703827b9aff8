"""A distributor changes its own password in the dashboard (docs/dashboard.md): the rules
and the audit action of the operator's `gridreseller distributor set-password`, the
current password first, this session kept and the others ended."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gridreseller.domain.errors import Invalid
from gridreseller.services import audit, operator
from gridreseller.services.context import ServiceContext
from gridreseller.web.messages import in_words
from tests.factories import Account, Factory
from tests.web.webclient import WebClient, field_errors, notice

Web = Callable[[], WebClient]


def logged_in(web: Web, account: Account) -> WebClient:
    client = web()
    assert client.login(account).status_code == 303
    return client


def change(
    client: WebClient, current: str, new: str, repeated: str | None = None
) -> httpx.Response:
    client.open("/dashboard/password")
    form = {"current_password": current, "password": new, "confirm_password": repeated or new}
    return client.post("/dashboard/password", form)


def test_a_distributor_changes_its_own_password(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor = factory.distributor()
    this, other = logged_in(web, distributor), logged_in(web, distributor)
    assert 'href="/dashboard/password"' in this.open("/dashboard/customers").text
    response = change(this, distributor.password, "reseller-new-pass")
    assert response.status_code == 303
    shown = this.open(response.headers["location"])
    assert notice(shown).startswith("Your password was changed")
    this.open("/dashboard/customers")  # this session goes on
    assert other.get("/dashboard/customers").headers["location"] == "/dashboard/login"
    assert web().login(distributor).status_code == 401
    renewed = Account(distributor.username, "reseller-new-pass")
    assert factory.call("distributor.packages", "json", renewed).status_code == 200
    mine = [e for e in audit.events(ctx, None, None) if e.target == distributor.username]
    [event] = [e for e in mine if e.action == "distributor.set_password"]
    assert (event.target, event.actor, event.surface, event.details) == (
        distributor.username,
        distributor.username,
        "dashboard",
        {"password": "(changed)"},
    )
    operator.set_distributor_password(ctx, distributor.username, "operator-set-pass")
    by_cli = [e for e in audit.events(ctx, None, None) if e.target == distributor.username][-1]
    assert (by_cli.action, by_cli.details) == (event.action, event.details)


def test_the_same_rules_as_the_operators_and_the_current_password_first(
    factory: Factory, web: Web
) -> None:
    distributor = factory.distributor()
    client = logged_in(web, distributor)
    with pytest.raises(Invalid) as cli:
        operator.set_distributor_password(factory.ctx, distributor.username, "short")
    refused = change(client, distributor.password, "short")
    assert refused.status_code == 400
    errors = field_errors(refused, "password")
    assert errors["password"] == [in_words(message, "password") for message in cli.value.errors]
    wrong = change(client, "not-the-password", "long-enough-pass")
    assert field_errors(wrong, "password") == {
        "current_password": [
            "\N{LEFT DOUBLE QUOTATION MARK}Current password"
            "\N{RIGHT DOUBLE QUOTATION MARK} is not correct"
        ]
    }
    assert web().login(distributor).status_code == 303  # unchanged


def test_a_distributors_credential_may_not(factory: Factory, web: Web) -> None:
    credential = factory.credential(factory.distributor(), web=1)
    client = logged_in(web, credential)
    assert client.get("/dashboard/password").status_code == 403
    assert 'href="/dashboard/password"' not in client.open("/dashboard/customers").text
