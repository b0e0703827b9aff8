"""distributor.packages (§7): this distributor's packages, typed in JSON, nested in XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.factories import Account, Distributor, Factory
from tests.support import errors, parse

FIELDS = [
    "name",
    "price",
    "description",
    "credits",
    "overage",
    "has_reseller",
    "has_ip",
    "distributor_price",
]


def packages(factory: Factory, fmt: str, account: Account) -> httpx.Response:
    return factory.call("distributor.packages", fmt, account)


def by_name(response: httpx.Response) -> dict[str, dict[str, object]]:
    assert response.status_code == 200, response.text
    data = parse(response)
    # JSON is the bare list; XML wraps it: <result><packages>...</packages></result>.
    rows = data["packages"] if response.url.path.endswith(".xml") else data
    assert isinstance(rows, list)
    return {row["name"]: row for row in rows}


def rich_package(factory: Factory, distributor: Distributor) -> str:
    return factory.package(
        distributor,
        has_ip=True,
        price="9.95",
        credits=100,
        overage="0.01",
        description="x",
        has_reseller=True,
        distributor_price="5",
    )


def test_json_types(factory: Factory) -> None:
    distributor = factory.distributor()
    name = rich_package(factory, distributor)
    response = packages(factory, "json", distributor)
    assert response.headers["content-type"].startswith("application/json")
    listed = by_name(response)
    assert set(listed) == {name, distributor.package}

    rich = listed[name]
    assert list(rich) == FIELDS
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
    plain = listed[distributor.package]
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


def test_xml_shape(factory: Factory) -> None:
    distributor = factory.distributor()
    name = rich_package(factory, distributor)
    response = packages(factory, "xml", distributor)
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.content)
    assert root.tag == "result"
    assert [child.tag for child in root] == ["packages"]
    elements = list(root[0])
    assert {element.tag for element in elements} == {"package"}
    assert len(elements) == 2
    for element in elements:
        assert [child.tag for child in element] == FIELDS
        assert all(len(child) == 0 for child in element)

    rich = by_name(response)[name]
    assert rich == {
        "name": name,
        "price": "9.95",
        "description": "x",
        "credits": "100",
        "overage": "0.01",
        "has_reseller": "true",
        "has_ip": "true",
        "distributor_price": "5",
    }
    assert by_name(response)[distributor.package]["has_ip"] == "false"


def test_only_own_packages(factory: Factory, fmt: str) -> None:
    distributor, other = factory.distributor(), factory.distributor()
    mine = factory.package(distributor)
    theirs = factory.package(other)
    assert set(by_name(packages(factory, fmt, distributor))) == {distributor.package, mine}
    assert set(by_name(packages(factory, fmt, other))) == {other.package, theirs}


def test_distributor_credential_with_api(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    extra = factory.package(distributor)
    credential = factory.credential(distributor, api=1)
    assert set(by_name(packages(factory, fmt, credential))) == {distributor.package, extra}


@pytest.mark.parametrize("bits", [{"api": 0}, {"email": 1, "web": 1, "api": 0}])
def test_distributor_credential_without_api(
    factory: Factory, fmt: str, bits: dict[str, int]
) -> None:
    distributor = factory.distributor()
    credential = factory.credential(distributor, **bits)
    response = packages(factory, fmt, credential)
    assert response.status_code == 403, response.text
    assert errors(response)


def test_customer_cannot_list_packages(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    assert packages(factory, fmt, customer).status_code == 403


def test_wrong_password(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = packages(factory, fmt, Account(distributor.username, "not-the-password"))
    assert response.status_code == 401
    assert errors(response) == ["Bad username / password"]
