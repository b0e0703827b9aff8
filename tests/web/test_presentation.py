"""How the dashboard states things (docs/dashboard.md): permissions plainly, not as
warnings; prices and overages as money."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest

from gridreseller.services import operator
from gridreseller.services.context import ServiceContext
from gridreseller.web.render import money
from tests.factories import Factory, customer_params, unique
from tests.support import errors
from tests.web.webclient import WebClient, field_errors

Web = Callable[[], WebClient]
PERMISSIONS_CELL = re.compile(r'<td data-label="Permissions">\s*(.*?)\s*</td>', re.S)


def test_permissions_are_listed_plainly(factory: Factory, web: Web) -> None:
    customer = factory.customer(factory.distributor())
    factory.credential(customer, email=1, api=1)
    factory.credential(customer)
    client = web()
    assert client.login(customer).status_code == 303
    page = client.open("/dashboard/credentials").text
    cells = sorted(PERMISSIONS_CELL.findall(page))
    assert cells == [
        '<span class="muted">none</span>',
        '<ul class="permissions"><li class="badge plain">email</li>'
        '<li class="badge plain">api</li></ul>',
    ]
    assert "no web" not in page and "badge off" not in page


def test_package_amounts_read_as_money(factory: Factory, web: Web, ctx: ServiceContext) -> None:
    distributor = factory.distributor()
    name = unique("priced")
    spec = operator.PackageSpec(name=name, price="29", overage="0.0015", distributor_price="12.5")
    operator.create_package(ctx, distributor.username, spec)
    client = web()
    assert client.login(distributor).status_code == 303
    page = client.open("/dashboard/packages").text
    row = page[page.index(name) :].split("</tr>")[0]
    amounts = re.findall(r'data-label="(Price|Your price|Overage)">([^<]*)<', row)
    assert amounts == [("Price", "29.00"), ("Your price", "12.50"), ("Overage", "0.0015")]
    assert 'data-label="Overage">0.00<' in page  # the distributor's first package: no overage


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.0000", "0.00"),
        ("29.00", "29.00"),
        ("0.5", "0.50"),
        ("0.0150", "0.015"),
        ("100", "100.00"),
    ],
)
def test_money(amount: str, shown: str) -> None:
    assert money(Decimal(amount)) == shown


def test_errors_use_the_labels_words_and_the_api_keeps_its_own(factory: Factory, web: Web) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    client = web()
    assert client.login(distributor).status_code == 303
    client.open("/dashboard/customer", user=customer.username)
    limit = {
        "user": customer.username,
        "task": "recurring",
        "credits": "100",
        "period": "daily",
        "startdate": "2030-01-10",
        "enddate": "2030-01-01",
    }
    shown = client.post("/dashboard/customer/limit", limit)
    assert shown.status_code == 400
    assert field_errors(shown, "limit_recurring") == {
        "enddate": [
            "\N{LEFT DOUBLE QUOTATION MARK}Last day\N{RIGHT DOUBLE QUOTATION MARK} must "
            "not be before \N{LEFT DOUBLE QUOTATION MARK}First day\N{RIGHT DOUBLE QUOTATION MARK}"
        ]
    }
    api = factory.call("distributor.manage", "json", distributor, method="limit", **limit)
    assert errors(api) == ["enddate must not be before startdate"]
    new: dict[str, str | list[str]] = {
        **customer_params(distributor.package),
        "ip[]": ["198.51.100.9"],
    }
    client.open("/dashboard/customers/new")
    no_groups = client.post("/dashboard/customers/new", new)  # no IP checkboxes on the page
    assert no_groups.status_code == 400 and "ip" in field_errors(no_groups, "customer")
    factory.ip_group(distributor, "198.51.100.9")
    client.open("/dashboard/customers/new")
    refused = client.post("/dashboard/customers/new", new)
    assert refused.status_code == 400
    [ip_error] = field_errors(refused, "customer")["ip"]
    assert ip_error == (
        "\N{LEFT DOUBLE QUOTATION MARK}IP addresses\N{RIGHT DOUBLE QUOTATION MARK} is not "
        "allowed: the package does not include IP addresses"
    )
