"""The API keys page (docs/dashboard.md): list, create with the key shown once, rename,
change scopes, delete after a confirmation step; primary accounts only, each seeing
only its own keys. What the page did is checked through the /v3 API."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import httpx
import pytest

from gridreseller.domain.api_keys import SCOPES
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from tests.factories import Account, Factory
from tests.support import ThreadServer
from tests.web.webclient import WebClient, field_errors, notice, problem

Web = Callable[[], WebClient]
KEY = re.compile(r'id="new-api-key" class="key" type="text" value="(SG\.[^"]+)" readonly')


def session(factory: Factory, web: Web, kind: str) -> tuple[Account, WebClient]:
    distributor = factory.distributor()
    account: Account = distributor if kind == "distributor" else factory.customer(distributor)
    client = web()
    assert client.login(account).status_code == 303
    client.open("/dashboard/api-keys")
    return account, client


def create(client: WebClient, name: str, *scopes: str) -> str:
    """A key made through the page: the whole key, as the page shows it once."""
    shown = client.post("/dashboard/api-keys/create", {"name": name, "scopes[]": list(scopes)})
    assert shown.status_code == 201, shown.text
    found = KEY.search(shown.text)
    assert found, shown.text
    return html.unescape(found[1])


def scopes_with(server: ThreadServer, key: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.get(f"{server.url}/v3/scopes", headers=headers, timeout=30)


@pytest.mark.parametrize("kind", ["distributor", "customer"])
def test_create_shows_the_key_once_and_it_works(
    factory: Factory, web: Web, server: ThreadServer, ctx: ServiceContext, kind: str
) -> None:
    account, client = session(factory, web, kind)
    key = create(client, "shop", "mail.send", "scopes.read")
    assert scopes_with(server, key).json() == {"scopes": ["mail.send", "scopes.read"]}
    listed = client.open("/dashboard/api-keys")
    key_id = key.split(".")[1]
    assert key_id in listed.text and "shop" in listed.text
    assert key not in listed.text and key.split(".")[2] not in listed.text
    assert ">mail.send</span>" in listed.text
    assert key.split(".")[2] not in client.open("/dashboard/api-key", id=key_id).text
    [event] = [e for e in audit.events(ctx, None, None) if e.target == key_id]
    assert (event.action, event.surface, event.actor) == (
        "api_key.create",
        "dashboard",
        account.username,
    )


def test_the_created_page_has_a_copy_button_for_scripts_and_a_field_without(
    factory: Factory, web: Web
) -> None:
    _account, client = session(factory, web, "customer")
    shown = client.post("/dashboard/api-keys/create", {"name": "k", "scopes[]": ["mail.send"]})
    assert "readonly autofocus" in shown.text
    assert '<button type="button" class="secondary" data-copy="new-api-key" hidden>' in shown.text
    assert '/dashboard/static/copy.js"></script>' in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert client.get("/dashboard/static/copy.js").status_code == 200


def test_create_refusals_beside_their_fields(factory: Factory, web: Web) -> None:
    _account, client = session(factory, web, "customer")
    cases: list[tuple[dict[str, str | list[str]], dict[str, list[str]]]] = [
        ({"name": "", "scopes[]": ["mail.send"]}, {"name": ["name is required"]}),
        (
            {"name": "x" * 101, "scopes[]": ["mail.send"]},
            {"name": ["name must be no more than 100 characters"]},
        ),
        ({"name": "none"}, {"scopes": ["scopes must name at least one scope"]}),
        ({"name": "odd", "scopes[]": ["admin"]}, {"scopes": ["scopes has unknown scopes: admin"]}),
    ]
    for form, expected in cases:
        shown = client.post("/dashboard/api-keys/create", form)
        assert shown.status_code == 400
        assert field_errors(shown, "create") == expected
        client.open("/dashboard/api-keys")
    assert "No API keys yet." in client.open("/dashboard/api-keys").text


def test_every_scope_is_ticked_by_default(factory: Factory, web: Web) -> None:
    _account, client = session(factory, web, "distributor")
    page = client.open("/dashboard/api-keys").text
    for scope in SCOPES:
        assert f'name="scopes[]" type="checkbox" value="{scope}" checked' in page


def test_rename_and_change_scopes(factory: Factory, web: Web, server: ThreadServer) -> None:
    _account, client = session(factory, web, "customer")
    key = create(client, "old", *SCOPES)
    key_id = key.split(".")[1]
    client.open("/dashboard/api-key", id=key_id)
    renamed = client.post("/dashboard/api-key/rename", {"id": key_id, "name": "new"})
    assert renamed.status_code == 303
    assert notice(client.open(renamed.headers["location"])) == "The API key was saved."
    client.open("/dashboard/api-key", id=key_id)
    narrowed = client.post("/dashboard/api-key/scopes", {"id": key_id, "scopes[]": ["scopes.read"]})
    assert narrowed.status_code == 303
    assert scopes_with(server, key).json() == {"scopes": ["scopes.read"]}
    page = client.open("/dashboard/api-key", id=key_id).text
    assert 'value="new"' in page
    assert 'value="scopes.read" checked' in page and 'value="mail.send" checked' not in page
    empty = client.post("/dashboard/api-key/rename", {"id": key_id, "name": ""})
    assert (empty.status_code, field_errors(empty, "edit")) == (400, {"name": ["name is required"]})


def test_delete_asks_first_then_the_key_stops_working(
    factory: Factory, web: Web, server: ThreadServer
) -> None:
    _account, client = session(factory, web, "customer")
    key = create(client, "doomed", "scopes.read")
    key_id = key.split(".")[1]
    confirm = client.open("/dashboard/api-key/delete", id=key_id)
    assert "Delete the API key doomed" in confirm.text
    assert scopes_with(server, key).status_code == 200  # asking deleted nothing
    deleted = client.post("/dashboard/api-key/delete", {"id": key_id})
    assert (
        notice(client.open(deleted.headers["location"]))
        == "The API key was deleted; it no longer works."
    )
    assert scopes_with(server, key).status_code == 401


def test_another_account_s_key_is_not_found(factory: Factory, web: Web) -> None:
    _owner, owner_client = session(factory, web, "customer")
    key_id = create(owner_client, "mine", "mail.send").split(".")[1]
    _other, other_client = session(factory, web, "customer")
    for path in ("/dashboard/api-key", "/dashboard/api-key/delete"):
        shown = other_client.get(path, id=key_id)
        assert (shown.status_code, problem(shown)) == (404, "There is no such API key.")
    refused = other_client.post("/dashboard/api-key/delete", {"id": key_id})
    assert refused.status_code == 404
    assert key_id not in other_client.open("/dashboard/api-keys").text
    assert key_id in owner_client.open("/dashboard/api-keys").text


def test_credentials_never_reach_the_page(factory: Factory, web: Web) -> None:
    customer = factory.customer(factory.distributor())
    credential = factory.credential(customer, web=1)
    client = web()
    assert client.login(credential).status_code == 303
    shown = client.get("/dashboard/api-keys")
    assert shown.status_code == 403
    assert "API keys" not in client.open("/dashboard/account").text.split("<main>")[0]
