"""/v3/api_keys and /v3/scopes (docs/api.md, "The v3 API") over HTTP on both databases:
every row of the table, its bodies and statuses, every refusal with its exact body, and
keys of one account invisible to another."""

from __future__ import annotations

import re

import pytest

from gridreseller.domain.api_keys import SCOPES
from tests.api.mail_support import MailServer
from tests.api.v3_support import (
    FORBIDDEN,
    UNAUTHORIZED,
    basic,
    bearer,
    key_id,
    new_key,
    problem,
    v3,
)
from tests.factories import Account, Distributor

KEY = re.compile(r"SG\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}")


@pytest.fixture
def distributor(mail_server: MailServer) -> Distributor:
    return mail_server.factory.distributor()


@pytest.fixture
def customer(mail_server: MailServer, distributor: Distributor) -> Account:
    return mail_server.factory.customer(distributor)


def test_create_with_basic_answers_201_with_the_key_once(
    mail_server: MailServer, customer: Account
) -> None:
    response = v3(mail_server, "POST", "api_keys", basic(customer), {"name": "app"})
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"api_key", "api_key_id", "name", "scopes"}
    assert KEY.fullmatch(created["api_key"])
    assert created["api_key_id"] == key_id(created["api_key"])
    assert (created["name"], created["scopes"]) == ("app", list(SCOPES))
    read = v3(mail_server, "GET", f"api_keys/{created['api_key_id']}", basic(customer))
    assert read.status_code == 200
    assert read.json() == {
        "name": "app",
        "api_key_id": created["api_key_id"],
        "scopes": list(SCOPES),
    }
    assert created["api_key"] not in read.text


def test_list_get_rename_replace_delete(mail_server: MailServer, customer: Account) -> None:
    key = new_key(mail_server, customer, "first")
    other = new_key(mail_server, customer, "second", scopes=["mail.send"])
    listed = v3(mail_server, "GET", "api_keys", bearer(key))
    assert listed.status_code == 200
    assert listed.json() == {
        "result": [
            {"name": "first", "api_key_id": key_id(key)},
            {"name": "second", "api_key_id": key_id(other)},
        ]
    }
    path = f"api_keys/{key_id(other)}"
    renamed = v3(mail_server, "PATCH", path, bearer(key), {"name": "renamed"})
    assert renamed.status_code == 200
    assert renamed.json() == {"name": "renamed", "api_key_id": key_id(other)}
    body = {"name": "both", "scopes": ["mail.send", "scopes.read"]}
    replaced = v3(mail_server, "PUT", path, bearer(key), body)
    assert replaced.status_code == 200
    assert replaced.json() == {**body, "api_key_id": key_id(other)}
    assert v3(mail_server, "GET", "scopes", bearer(other)).json() == {
        "scopes": ["mail.send", "scopes.read"]
    }
    deleted = v3(mail_server, "DELETE", path, bearer(key))
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert v3(mail_server, "GET", "scopes", bearer(other)).json() == UNAUTHORIZED
    assert v3(mail_server, "GET", path, bearer(key)).status_code == 404


def test_scopes_of_a_login_and_of_a_key(mail_server: MailServer, customer: Account) -> None:
    assert v3(mail_server, "GET", "scopes", basic(customer)).json() == {"scopes": list(SCOPES)}
    key = new_key(mail_server, customer, scopes=["scopes.read", "api_keys.read"])
    assert v3(mail_server, "GET", "scopes", bearer(key)).json() == {
        "scopes": ["api_keys.read", "scopes.read"]
    }


def test_a_key_grants_only_what_it_holds(mail_server: MailServer, customer: Account) -> None:
    key = new_key(mail_server, customer, scopes=["api_keys.create", "mail.send"])
    made = v3(mail_server, "POST", "api_keys", bearer(key), {"name": "child"})
    assert made.status_code == 201
    assert made.json()["scopes"] == ["mail.send", "api_keys.create"]
    beyond = v3(
        mail_server, "POST", "api_keys", bearer(key), {"name": "x", "scopes": ["scopes.read"]}
    )
    assert beyond.status_code == 400
    assert beyond.json() == problem(
        "scopes", "scopes may not grant scopes the caller lacks: scopes.read"
    )


def test_a_call_without_its_scope_is_403(mail_server: MailServer, customer: Account) -> None:
    key = new_key(mail_server, customer, scopes=["mail.send"])
    for method, path in [
        ("GET", "api_keys"),
        ("POST", "api_keys"),
        ("GET", f"api_keys/{key_id(key)}"),
        ("PATCH", f"api_keys/{key_id(key)}"),
        ("DELETE", f"api_keys/{key_id(key)}"),
        ("GET", "scopes"),
    ]:
        body = {"name": "n", "scopes": ["mail.send"]} if method in ("POST", "PATCH") else None
        response = v3(mail_server, method, path, bearer(key), body)
        assert (response.status_code, response.json()) == (403, FORBIDDEN), (method, path)


def test_bad_bodies(mail_server: MailServer, customer: Account) -> None:
    login = basic(customer)
    cases = [
        ({}, problem("name", "name is required")),
        ({"name": 7}, problem("name", "name must be a string")),
        ({"name": ""}, problem("name", "name is required")),
        ({"name": "x" * 101}, problem("name", "name must be no more than 100 characters")),
        (
            {"name": "a", "scopes": "mail.send"},
            problem("scopes", "scopes must be an array of strings"),
        ),
        ({"name": "a", "scopes": []}, problem("scopes", "scopes must name at least one scope")),
        ({"name": "a", "scopes": ["nope"]}, problem("scopes", "scopes has unknown scopes: nope")),
        ([1], problem(None, "the request body must be a JSON object")),
    ]
    for body, expected in cases:
        response = v3(mail_server, "POST", "api_keys", login, body)
        assert (response.status_code, response.json()) == (400, expected), body
    assert v3(mail_server, "GET", "api_keys", login).json() == {"result": []}


def test_transport_refusals(mail_server: MailServer, customer: Account) -> None:
    login = basic(customer)
    client = mail_server.client
    broken = client.post(
        "/v3/api_keys", content=b"{nope", headers={**login, "Content-Type": "application/json"}
    )
    assert (broken.status_code, broken.json()) == (
        400,
        problem(None, "the request body must be valid JSON in UTF-8"),
    )
    form = client.post(
        "/v3/api_keys",
        content=b"name=a",
        headers={**login, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (form.status_code, form.json()) == (
        415,
        problem(None, "the request body must be application/json"),
    )
    large = client.post(
        "/v3/api_keys",
        content=b"x" * (1024 * 1024 + 1),
        headers={**login, "Content-Type": "application/json"},
    )
    assert large.status_code == 413
    assert large.json()["errors"][0]["field"] is None
    verb = v3(mail_server, "POST", "scopes", login)
    assert (verb.status_code, verb.headers["allow"]) == (405, "GET")
    unknown = v3(mail_server, "GET", "templates", login)
    assert (unknown.status_code, unknown.json()) == (404, problem(None, "resource not found"))
    for response in (broken, form, large, verb, unknown):
        assert response.headers["x-content-type-options"] == "nosniff"
    assert v3(mail_server, "GET", "api_keys", login).json() == {"result": []}


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer SG.short.key",
        "Bearer SG.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
        "Basic !!!",
        "Basic " + "bm9ib2R5OndoYXRldmVy",  # nobody:whatever
        "Token abc",
    ],
)
def test_missing_malformed_and_unknown_logins_are_401(
    mail_server: MailServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = v3(mail_server, "GET", "api_keys", headers)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_wrong_secret_of_a_real_id_is_401(mail_server: MailServer, customer: Account) -> None:
    key = new_key(mail_server, customer)
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    response = v3(mail_server, "GET", "api_keys", bearer(wrong))
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_credentials_cannot_manage_keys(mail_server: MailServer, customer: Account) -> None:
    credential = mail_server.factory.credential(customer, api=1, email=1, web=1)
    response = v3(mail_server, "POST", "api_keys", basic(credential), {"name": "a"})
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    wrong = Account(credential.username, "not-its-password")
    response = v3(mail_server, "POST", "api_keys", basic(wrong), {"name": "a"})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_keys_of_one_account_are_invisible_to_another(
    mail_server: MailServer, distributor: Distributor, customer: Account
) -> None:
    mine = new_key(mail_server, customer)
    other = mail_server.factory.customer(distributor)
    theirs = bearer(new_key(mail_server, other))
    assert v3(mail_server, "GET", "api_keys", theirs).json()["result"][0]["api_key_id"] != key_id(
        mine
    )
    assert len(v3(mail_server, "GET", "api_keys", theirs).json()["result"]) == 1
    not_found = problem(None, "API key not found")
    path = f"api_keys/{key_id(mine)}"
    for method, body in [
        ("GET", None),
        ("PATCH", {"name": "x"}),
        ("PUT", {"name": "x", "scopes": ["mail.send"]}),
        ("DELETE", None),
    ]:
        response = v3(mail_server, method, path, theirs, body)
        assert (response.status_code, response.json()) == (404, not_found), method
    unknown = v3(mail_server, "GET", "api_keys/AAAAAAAAAAAAAAAA", theirs)
    assert (unknown.status_code, unknown.json()) == (404, not_found)
    # The distributor sees none of its customer's keys either.
    own = v3(mail_server, "GET", path, basic(distributor))
    assert (own.status_code, own.json()) == (404, not_found)
    assert v3(mail_server, "GET", path, bearer(mine)).status_code == 200


def test_at_most_100_keys(mail_server: MailServer, customer: Account) -> None:
    for index in range(100):
        new_key(mail_server, customer, f"k{index}")
    response = v3(mail_server, "POST", "api_keys", basic(customer), {"name": "one more"})
    assert (response.status_code, response.json()) == (
        403,
        problem(None, "an account may hold at most 100 API keys"),
    )
    assert len(v3(mail_server, "GET", "api_keys", basic(customer)).json()["result"]) == 100


def test_a_deleted_customer_s_keys_are_unknown_a_disabled_one_s_refused(
    mail_server: MailServer, distributor: Distributor
) -> None:
    factory = mail_server.factory
    disabled, deleted = factory.customer(distributor), factory.customer(distributor)
    disabled_key, deleted_key = new_key(mail_server, disabled), new_key(mail_server, deleted)
    factory.call(
        "distributor.manage", "json", distributor, method="disable", user=disabled.username
    )
    factory.call("distributor.delete", "json", distributor, user=deleted.username)
    refused = v3(mail_server, "GET", "scopes", bearer(disabled_key))
    assert (refused.status_code, refused.json()) == (403, FORBIDDEN)
    unknown = v3(mail_server, "GET", "scopes", bearer(deleted_key))
    assert (unknown.status_code, unknown.json()) == (401, UNAUTHORIZED)
