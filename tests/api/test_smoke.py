"""The happy path of every call, in both formats."""

from __future__ import annotations

from tests.factories import Factory
from tests.support import message, parse


def test_add_then_list(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call("distributor.manage", fmt, distributor, method="profile", task="get")
    assert response.status_code == 200
    rows = parse(response)
    assert [row["username"] for row in rows] == [customer.username]
    assert rows[0]["active"] == "true"


def test_success_envelope(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call(
        "distributor.manage", fmt, distributor, method="disable", user=customer.username
    )
    assert response.status_code == 200
    assert message(response) == "success"
