"""Every call's success, in both formats on both databases, rendered exactly: bodies,
shapes, types, content types and headers. (The rules behind each call are tested once,
at the service level, in tests/unit/services/.)"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from gridreseller.domain.models import CUSTOMER_FIELDS
from tests.factories import (
    RICH_PACKAGE,
    Account,
    Distributor,
    Factory,
    customer_params,
    listed_customer,
    unique,
)
from tests.support import Clock, parse

XML_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
MEDIA_TYPES = {"json": "application/json", "xml": "application/xml; charset=ISO-8859-1"}
SUCCESS = {
    "json": b'{"message":"success"}\n',
    "xml": XML_DECLARATION + b"<result><message>success</message></result>\n",
}
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
PACKAGE_FIELDS = [
    "name",
    "price",
    "description",
    "credits",
    "overage",
    "has_reseller",
    "has_ip",
    "distributor_price",
]


def assert_answer(response: httpx.Response, fmt: str, status: int = 200) -> None:
    """Status, exact content type, and the headers every answer carries."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPES[fmt]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    if "content-length" in response.headers:
        assert int(response.headers["content-length"]) == len(response.content)
    if fmt == "xml":
        assert response.content.startswith(XML_DECLARATION)
        ET.fromstring(response.content)
    else:
        json.loads(response.content.decode("utf-8"))


def assert_success(response: httpx.Response, fmt: str) -> None:
    assert_answer(response, fmt)
    assert response.content == SUCCESS[fmt]


# The calls that answer the success envelope: what each needs, and how to see it worked.

Prepared = tuple[Account, dict[str, Any]]
Prepare = Callable[[Factory, Distributor], Prepared]


def _added(factory: Factory, distributor: Distributor) -> Prepared:
    return distributor, customer_params(distributor.package)


def _on_customer(**params: str) -> Prepare:
    def prepare(factory: Factory, distributor: Distributor) -> Prepared:
        customer = factory.customer(distributor)
        return distributor, {"user": customer.username, **params}

    return prepare


def _on_credential(*, of_customer: bool = False, **params: str) -> Prepare:
    """A credential call on a credential of the distributor (or of its customer)."""

    def prepare(factory: Factory, distributor: Distributor) -> Prepared:
        owner = factory.customer(distributor) if of_customer else distributor
        credential = factory.credential(owner)
        return owner, {"username": credential.username, **params}

    return prepare


def _new_customer_credential(factory: Factory, distributor: Distributor) -> Prepared:
    return factory.customer(distributor), {"username": unique("cred"), "password": "cred-secret"}


def _renamed(factory: Factory, distributor: Distributor) -> Prepared:
    new = unique("renamed") + "@example.net"
    return _on_customer(method="profile", task="setUsername", username=new)(factory, distributor)


def _new_credential(factory: Factory, distributor: Distributor) -> Prepared:
    return distributor, {"username": unique("cred"), "password": "cred-secret"}


ENVELOPE_CALLS = {
    "distributor.add": ("distributor.add", _added),
    "distributor.delete": ("distributor.delete", _on_customer()),
    "profile set": ("distributor.manage", _on_customer(method="profile", task="set", city="Oslo")),
    "profile setUsername": ("distributor.manage", _renamed),
    "profile setEmail": (
        "distributor.manage",
        _on_customer(method="profile", task="setEmail", email="new@example.com"),
    ),
    "password": (
        "distributor.manage",
        _on_customer(method="password", password="new-secret", confirm_password="new-secret"),
    ),
    "enable": ("distributor.manage", _on_customer(method="enable")),
    "disable": ("distributor.manage", _on_customer(method="disable")),
    "website_enable": ("distributor.manage", _on_customer(method="website_enable")),
    "website_disable": ("distributor.manage", _on_customer(method="website_disable")),
    "auth": ("distributor.manage", _on_customer(method="auth", password="secret-pass")),
    "credentials/add": ("credentials/add", _new_credential),
    "credentials/edit": ("credentials/edit", _on_credential(permissions='{"web": 1}')),
    "credentials/remove": ("credentials/remove", _on_credential()),
    "credentials/add, customer": ("credentials/add", _new_customer_credential),
    "credentials/edit, customer": (
        "credentials/edit",
        _on_credential(of_customer=True, permissions='{"web": 1}'),
    ),
    "credentials/remove, customer": ("credentials/remove", _on_credential(of_customer=True)),
}


@pytest.mark.parametrize("call", ENVELOPE_CALLS)
def test_success_envelope(factory: Factory, fmt: str, call: str) -> None:
    endpoint, prepare = ENVELOPE_CALLS[call]
    distributor = factory.distributor()
    caller, params = prepare(factory, distributor)
    assert_success(factory.call(endpoint, fmt, caller, **params), fmt)


def test_add_is_seen_in_the_list(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    params = customer_params(distributor.package)
    assert_success(factory.call("distributor.add", fmt, distributor, **params), fmt)
    assert [row["username"] for row in factory.customers_of(distributor)] == [params["username"]]


# profile get ----------------------------------------------------------------------------


def test_profile_get_renders_every_field_in_order(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    tag = unique("o")
    bob = factory.customer(distributor, username=f"Bob-{tag}@example.com", city="Zürich")
    alice = factory.customer(distributor, username=f"alice-{tag}@example.com")
    factory.call("distributor.manage", "json", distributor, method="disable", user=bob.username)
    response = factory.call("distributor.manage", fmt, distributor, method="profile", task="get")
    assert_answer(response, fmt)
    if fmt == "json":
        rows = json.loads(response.content)
        assert isinstance(rows, list)
        assert all(list(row) == list(CUSTOMER_FIELDS) for row in rows)
        assert all(isinstance(value, str) for row in rows for value in row.values())
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "users"
        assert [user.tag for user in root] == ["user", "user"]
        assert all([child.tag for child in user] == list(CUSTOMER_FIELDS) for user in root)
        rows = parse(response)
    assert [row["username"] for row in rows] == [alice.username, bob.username]
    bob_params = customer_params(distributor.package, username=bob.username, city="Zürich")
    assert rows[1] == listed_customer(bob_params, active="false")


def test_profile_get_empty_list(factory: Factory, fmt: str) -> None:
    response = factory.call(
        "distributor.manage", fmt, factory.distributor(), method="profile", task="get"
    )
    assert_answer(response, fmt)
    assert response.content == {"json": b"[]\n", "xml": XML_DECLARATION + b"<users></users>\n"}[fmt]


def test_profile_get_with_filters_and_paging(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    tag = unique("p")
    names = [
        factory.customer(distributor, username=f"{tag}-{i}@example.com", city="Paris").username
        for i in range(3)
    ]
    factory.customer(distributor, city="Lyon")
    response = factory.call(
        "distributor.manage",
        fmt,
        distributor,
        method="profile",
        task="get",
        city="PARIS",
        active="1",
        limit="1",
        offset="1",
    )
    assert_answer(response, fmt)
    assert [row["username"] for row in parse(response)] == names[1:2]


# distributor.packages -------------------------------------------------------------------


def test_packages_in_json_have_json_types(factory: Factory) -> None:
    distributor = factory.distributor()
    name = factory.package(distributor, **RICH_PACKAGE)
    response = factory.call("distributor.packages", "json", distributor)
    assert_answer(response, "json")
    listed = {row["name"]: row for row in response.json()}
    assert set(listed) == {name, distributor.package}
    rich, plain = listed[name], listed[distributor.package]
    assert list(rich) == PACKAGE_FIELDS
    assert rich == {
        "name": name,
        "price": 9.95,
        "description": "x",
        "credits": 100,
        "overage": 0.01,
        "has_reseller": True,
        "has_ip": True,
        "distributor_price": 5,
    }
    assert plain == {
        "name": distributor.package,
        "price": 0,
        "description": "",
        "credits": 0,
        "overage": 0,
        "has_reseller": False,
        "has_ip": False,
        "distributor_price": 0,
    }
    for row in (rich, plain):
        for field in ("price", "overage", "distributor_price"):
            assert type(row[field]) in (int, float), (field, row[field])
        assert type(row["credits"]) is int
        assert type(row["has_reseller"]) is bool
        assert type(row["has_ip"]) is bool


def test_packages_in_xml_are_nested_strings(factory: Factory) -> None:
    distributor = factory.distributor()
    name = factory.package(distributor, **RICH_PACKAGE)
    response = factory.call("distributor.packages", "xml", distributor)
    assert_answer(response, "xml")
    root = ET.fromstring(response.content)
    assert root.tag == "result"
    assert [child.tag for child in root] == ["packages"]
    elements = list(root[0])
    assert [element.tag for element in elements] == ["package", "package"]
    for element in elements:
        assert [child.tag for child in element] == PACKAGE_FIELDS
        assert all(len(child) == 0 for child in element)
    listed = {row["name"]: row for row in parse(response)["packages"]}
    assert listed[name] == {
        "name": name,
        "price": "9.95",
        "description": "x",
        "credits": "100",
        "overage": "0.01",
        "has_reseller": "true",
        "has_ip": "true",
        "distributor_price": "5",
    }
    assert listed[distributor.package]["has_ip"] == "false"


def test_packages_through_a_credential_with_api(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    credential = factory.credential(distributor, api=1)
    response = factory.call("distributor.packages", fmt, credential)
    assert_answer(response, fmt)
    data = parse(response)
    rows = data["packages"] if fmt == "xml" else data
    assert [row["name"] for row in rows] == [distributor.package]


# credentials/get ------------------------------------------------------------------------


def check_credential(data: dict[str, Any], fmt: str) -> None:
    assert list(data) == ["id", "name", "permissions", "created_at", "updated_at"]
    assert list(data["permissions"]) == ["email", "web", "api"]
    scalars = [data["id"], *data["permissions"].values()]
    if fmt == "json":
        assert all(type(value) is int for value in scalars), data
    else:
        assert all(isinstance(value, str) and value.isdigit() for value in scalars), data
    assert TIME.fullmatch(data["created_at"]) and TIME.fullmatch(data["updated_at"])


@pytest.mark.parametrize("owner_kind", ["distributor", "customer"])
def test_credentials_get_list_and_one(
    factory: Factory, fmt: str, clock: Clock, owner_kind: str
) -> None:
    distributor = factory.distributor()
    owner = distributor if owner_kind == "distributor" else factory.customer(distributor)
    clock.now = datetime(2013, 1, 21, 16, 52, 1)
    name = factory.credential(owner, api=1).username

    listed = factory.call("credentials/get", fmt, owner)
    assert_answer(listed, fmt)
    rows = parse(listed)
    assert isinstance(rows, list) and len(rows) == 1
    check_credential(rows[0], fmt)
    assert {k: v for k, v in rows[0].items() if k != "id"} == {
        "name": name,
        "permissions": {"email": "0", "web": "0", "api": "1"}
        if fmt == "xml"
        else {"email": 0, "web": 0, "api": 1},
        "created_at": "2013-01-21 16:52:01",
        "updated_at": "2013-01-21 16:52:01",
    }

    single = factory.call("credentials/get", fmt, owner, username=name)
    assert_answer(single, fmt)
    data = parse(single)
    assert isinstance(data, dict)
    assert data == rows[0]
    if fmt == "xml":
        assert ET.fromstring(listed.content).tag == "credentials"
        assert ET.fromstring(single.content).tag == "credential"


def test_credentials_get_empty_list(factory: Factory, fmt: str) -> None:
    response = factory.call("credentials/get", fmt, factory.distributor())
    assert_answer(response, fmt)
    assert parse(response) == []
