"""Allowed sender domains over the API (docs/api.md, "profile setSenderDomains"): set in
both formats on both databases, shown in profile get as one more string field, and a
bad entry refused with a 400 naming the parameter, nothing changed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.api.test_bad_input import assert_error
from tests.api.test_calls import assert_answer, assert_success
from tests.factories import Factory


def test_set_then_get_in_each_format(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call(
        "distributor.manage",
        fmt,
        distributor,
        method="profile",
        task="setSenderDomains",
        user=customer.username,
        sender_domains=["Example.com", "*.bücher.de"],
    )
    assert_success(response, fmt)
    listed = factory.call(
        "distributor.manage",
        fmt,
        distributor,
        method="profile",
        task="get",
        username=customer.username,
    )
    assert_answer(listed, fmt)
    expected = "example.com,*.xn--bcher-kva.de"
    if fmt == "json":
        (row,) = json.loads(listed.content)
        assert row["sender_domains"] == expected
        assert list(row)[-1] == "sender_domains"  # added last: earlier keys keep their places
    else:
        (user,) = ET.fromstring(listed.content)
        assert user[-1].tag == "sender_domains"
        assert user[-1].text == expected


def test_an_unbound_customer_shows_an_empty_string(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    factory.customer(distributor)
    listed = factory.call("distributor.manage", fmt, distributor, method="profile", task="get")
    if fmt == "json":
        assert b',"sender_domains":""}]' in listed.content
    else:
        assert b"<sender_domains></sender_domains></user>" in listed.content


def test_a_bad_entry_is_a_400_naming_the_parameter_and_nothing_changes(
    factory: Factory, fmt: str
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_list = {"method": "profile", "task": "setSenderDomains", "user": customer.username}
    factory.call("distributor.manage", fmt, distributor, **set_list, sender_domains=["a.example"])
    response = factory.call(
        "distributor.manage",
        fmt,
        distributor,
        **set_list,
        sender_domains=["b.example", "not a domain"],
    )
    assert_error(
        response,
        fmt,
        400,
        "sender_domains[] must be a domain name or *. followed by one: 'not a domain'",
    )
    row = factory.customer_row(distributor, customer.username)
    assert row is not None
    assert row["sender_domains"] == "a.example"


def test_the_list_must_be_sent(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = factory.call(
        "distributor.manage",
        fmt,
        distributor,
        method="profile",
        task="setSenderDomains",
        user=customer.username,
    )
    assert_error(
        response,
        fmt,
        400,
        "sender_domains[] is required (one empty sender_domains[] allows any sender)",
    )
