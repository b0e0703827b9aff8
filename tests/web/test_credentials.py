"""An account's credential pages (docs/dashboard.md, credentials/*): list, add with permission
checkboxes, edit (an empty password keeps it), remove after a confirmation step."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.web.messages import in_words
from tests.factories import Account, Factory, unique
from tests.support import errors
from tests.web.webclient import WebClient, all_errors, field_errors, notice

Web = Callable[[], WebClient]


def account_session(factory: Factory, web: Web, kind: str) -> tuple[Account, WebClient]:
    distributor = factory.distributor()
    account: Account = distributor if kind == "distributor" else factory.customer(distributor)
    client = web()
    assert client.login(account).status_code == 303
    client.open("/dashboard/credentials")
    return account, client


def credentials_of(factory: Factory, account: Account) -> dict[str, dict[str, int]]:
    response = factory.call("credentials/get", "json", account)
    return {c["name"]: c["permissions"] for c in response.json()}


def follow(client: WebClient, response: Any) -> Any:
    assert response.status_code == 303, response.text
    return client.open(response.headers["location"])


@pytest.mark.parametrize("kind", ["distributor", "customer"])
def test_add_a_credential_with_permission_checkboxes(
    factory: Factory, web: Web, ctx: ServiceContext, kind: str
) -> None:
    account, client = account_session(factory, web, kind)
    name = unique("smtp")
    form = {"username": name, "password": "cred-secret", "email": "1", "api": "1"}
    shown = follow(client, client.post("/dashboard/credentials/add", form))
    assert notice(shown) == "The credential was added."
    assert name in shown.text
    assert credentials_of(factory, account) == {name: {"email": 1, "web": 0, "api": 1}}
    [event] = [e for e in audit.events(ctx, None, None) if e.target == name]
    assert (event.action, event.surface, event.actor) == (
        "credential.add",
        "dashboard",
        account.username,
    )


def test_add_errors_are_the_apis_beside_their_fields(factory: Factory, web: Web) -> None:
    account, client = account_session(factory, web, "customer")
    taken = factory.credential(account).username
    cases = [
        ({"username": "has space", "password": "cred-secret"}, "username"),
        ({"username": unique("c"), "password": "short"}, "password"),
        ({"username": taken, "password": "cred-secret"}, "username"),
    ]
    for form, field in cases:
        shown = client.post("/dashboard/credentials/add", form)
        assert shown.status_code == 400
        api = factory.call("credentials/add", "json", account, **form)
        assert field_errors(shown, "add") == {field: [in_words(e, "add") for e in errors(api)]}
        client.open("/dashboard/credentials")
    tampered = client.post(
        "/dashboard/credentials/add", {"username": unique("c"), "password": "x" * 8, "web": "2"}
    )
    assert tampered.status_code == 400
    assert all_errors(tampered, "add") == ["“Permissions” web must be 0 or 1"]
    assert list(credentials_of(factory, account)) == [taken]


def test_edit_keeps_the_password_when_it_is_left_empty(factory: Factory, web: Web) -> None:
    distributor, client = account_session(factory, web, "distributor")
    credential = factory.credential(distributor, api=1, web=1)
    page = client.open("/dashboard/credential", username=credential.username).text
    assert 'name="api" type="checkbox" value="1" checked' in page
    assert 'name="email" type="checkbox" value="1">' in page  # not ticked
    edit = {"username": credential.username, "password": "", "api": "1", "email": "1"}
    shown = follow(client, client.post("/dashboard/credential/edit", edit))
    assert notice(shown) == "The credential was saved."
    assert credentials_of(factory, distributor)[credential.username] == {
        "email": 1,
        "web": 0,  # unticked
        "api": 1,
    }
    packages = factory.call("distributor.packages", "json", credential)
    assert packages.status_code == 200  # the old password still works


def test_edit_with_a_password_changes_it(factory: Factory, web: Web) -> None:
    distributor, client = account_session(factory, web, "distributor")
    credential = factory.credential(distributor, api=1)
    client.open("/dashboard/credential", username=credential.username)
    edit = {"username": credential.username, "password": "newer-secret", "api": "1"}
    follow(client, client.post("/dashboard/credential/edit", edit))
    assert factory.call("distributor.packages", "json", credential).status_code == 401
    renewed = Account(credential.username, "newer-secret")
    assert factory.call("distributor.packages", "json", renewed).status_code == 200
    short = client.post(
        "/dashboard/credential/edit", {"username": credential.username, "password": "abc"}
    )
    assert short.status_code == 400
    assert field_errors(short, "edit") == {"password": ["“Password” must be at least 6 characters"]}


def test_remove_asks_first_then_removes(factory: Factory, web: Web, ctx: ServiceContext) -> None:
    customer, client = account_session(factory, web, "customer")
    credential = factory.credential(customer, email=1)
    confirm = client.open("/dashboard/credential/remove", username=credential.username)
    assert "Remove the credential" in confirm.text
    assert credential.username in credentials_of(factory, customer)
    shown = follow(
        client, client.post("/dashboard/credential/remove", {"username": credential.username})
    )
    assert notice(shown) == "The credential was removed."
    assert credentials_of(factory, customer) == {}
    assert [e.surface for e in audit.events(ctx, None, None) if e.target == credential.username][
        -1
    ] == "dashboard"
    assert client.get("/dashboard/credential", username=credential.username).status_code == 404


def test_credential_times_and_names_are_shown_escaped(factory: Factory, web: Web) -> None:
    customer, client = account_session(factory, web, "customer")
    response = factory.call(
        "credentials/add",
        "json",
        customer,
        username="a+b@c.d",
        password="cred-secret",
        permissions=json.dumps({"web": 1}),
    )
    assert response.status_code == 200
    page = client.open("/dashboard/credentials").text
    assert "a+b@c.d" in page
    assert 'href="/dashboard/credential?username=a%2Bb%40c.d"' in page
