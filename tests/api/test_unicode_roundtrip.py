"""Any Unicode text the contract accepts in a profile field (docs/api.md), sent over
every transport (urlencoded, multipart, query string), read back unchanged in JSON and
in XML (well-formed, declared ISO-8859-1); never a 500, never a mangled value, never
malformed XML. Which text is refused is tested at the service level
(tests/unit/services/test_any_text.py); one refusal per transport is rendered here."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import Account, Distributor, customer_params, unique
from tests.unicode_text import example_settings, field_values

XML_TYPE = "application/xml; charset=ISO-8859-1"
XML_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>'
TRANSPORTS = ("urlencoded", "multipart", "query")


def send(
    client: httpx.Client, endpoint: str, fmt: str, transport: str, params: dict[str, str]
) -> httpx.Response:
    url = f"/api/{endpoint}.{fmt}"
    if transport == "query":
        return client.get(url + "?" + urlencode(params))
    if transport == "multipart":
        # Parts without a file name: plain form fields, UTF-8 encoded.
        parts: Any = [(name, (None, value.encode("utf-8"))) for name, value in params.items()]
        return client.post(url, files=parts)
    return client.post(
        url,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def xml_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.headers["content-type"] == XML_TYPE
    assert response.content.startswith(XML_DECLARATION), response.content[:80]
    root = ET.fromstring(response.content)  # expat: raises on anything malformed
    assert root.tag == "users"
    return [{child.tag: child.text or "" for child in user} for user in root]


def read_back(client: httpx.Client, distributor: Distributor, **filters: str) -> list[Any]:
    """The customer list as JSON and as XML (both parsed), for the same filters."""
    params = {**distributor.auth, "method": "profile", "task": "get", **filters}
    as_json = send(client, "distributor.manage", "json", "urlencoded", params)
    as_xml = send(client, "distributor.manage", "xml", "urlencoded", params)
    assert as_json.status_code == 200, as_json.text
    assert as_xml.status_code == 200, as_xml.text
    assert as_json.headers["content-type"].startswith("application/json")
    return [json.loads(as_json.content.decode("utf-8")), xml_rows(as_xml)]


def stored_value(client: httpx.Client, distributor: Distributor, user: str, field: str) -> str:
    """The field of `user`, identical in JSON and in XML."""
    found = []
    for rows in read_back(client, distributor, username=user):
        assert len(rows) == 1, rows
        found.append(rows[0][field])
    assert found[0] == found[1], f"JSON {found[0]!r} but XML {found[1]!r}"
    return str(found[0])


def assert_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    if response.headers["content-type"].startswith("application/json"):
        body = json.loads(response.content.decode("utf-8"))
        errors = body["errors"]
    else:
        assert response.content.startswith(XML_DECLARATION)
        errors = [e.text or "" for e in ET.fromstring(response.content).iter("error")]
    assert errors, response.text
    assert all(error.startswith(f"{field} ") for error in errors), errors


def assert_found_by_filter(
    client: httpx.Client, distributor: Distributor, user: str, field: str, value: str
) -> None:
    """Filtering on the exact value finds the customer, in both formats."""
    for rows in read_back(client, distributor, **{field: value}):
        assert user in [row["username"] for row in rows], (field, value)


SETTINGS = example_settings(100)
# Any accepted text in any field, answered in either format, over every transport.
ANY_ACCEPTED_TEXT = given(
    field_value=field_values(refusals=False),
    fmt=st.sampled_from(("json", "xml")),
    transport=st.sampled_from(TRANSPORTS),
)


@pytest.mark.slow
@SETTINGS
@ANY_ACCEPTED_TEXT
def test_add_stores_any_text(
    client: httpx.Client,
    one_distributor: Distributor,
    field_value: tuple[str, str],
    fmt: str,
    transport: str,
) -> None:
    field, value = field_value
    username = unique("uni") + "@example.com"
    params = {
        **one_distributor.auth,
        **customer_params(one_distributor.package, username=username),
        field: value,
    }
    response = send(client, "distributor.add", fmt, transport, params)
    assert response.status_code == 200, response.text
    assert stored_value(client, one_distributor, username, field) == value
    assert_found_by_filter(client, one_distributor, username, field, value)


@pytest.mark.slow
@SETTINGS
@ANY_ACCEPTED_TEXT
def test_profile_set_stores_any_text(
    client: httpx.Client,
    one_distributor: Distributor,
    one_customer: Account,
    field_value: tuple[str, str],
    fmt: str,
    transport: str,
) -> None:
    field, value = field_value
    params = {
        **one_distributor.auth,
        "method": "profile",
        "task": "set",
        "user": one_customer.username,
        field: value,
    }
    response = send(client, "distributor.manage", fmt, transport, params)
    assert response.status_code == 200, response.text
    assert stored_value(client, one_distributor, one_customer.username, field) == value
    assert_found_by_filter(client, one_distributor, one_customer.username, field, value)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("char", ["\x00", "\ufffe"], ids=["nul", "ufffe"])
def test_refused_text_over_every_transport(
    client: httpx.Client,
    one_distributor: Distributor,
    one_customer: Account,
    fmt: str,
    transport: str,
    char: str,
) -> None:
    """A refused character reaches the rules intact however it was sent."""
    before = stored_value(client, one_distributor, one_customer.username, "city")
    value = f"Oslo{char}"
    params = {
        **one_distributor.auth,
        "method": "profile",
        "task": "set",
        "user": one_customer.username,
        "city": value,
    }
    response = send(client, "distributor.manage", fmt, transport, params)
    assert_refused(response, "city")
    assert stored_value(client, one_distributor, one_customer.username, "city") == before
