"""Any Unicode text in a profile field (§3, §4, §6): stored and read back unchanged in
JSON and in XML (well-formed, declared ISO-8859-1), or refused with a 400 naming the
field; never a 500, never a mangled value, never malformed XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gridreseller.domain.rules import PROFILE_LIMITS
from tests.factories import Account, Distributor, Factory, customer_params, unique

XML_TYPE = "application/xml; charset=ISO-8859-1"
XML_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>'
TRANSPORTS = ("urlencoded", "multipart", "query")

# Characters worth a special try: markup, CDATA and entity look-alikes, C1 controls
# and Unicode line breaks (legal in XML 1.0; line ends only in XML 1.1), combining
# marks, the byte order mark, the Latin-1 edge, astral characters and noncharacters.
SPECIALS = [
    *"<>&\"'",
    "]]>",
    "<![CDATA[",
    "&amp;",
    "&#0;",
    "&#xFFFE;",
    "<user>",
    "\x80",
    "\x85",
    "\x9f",
    "\u2028",
    "\u00e9",
    "e\u0301",
    "\u00ff",
    "\u0100",
    "\ufeff",
    "\ufffd",
    "\U0001f600",
    "\U0001fffe",
    "\U0010fffd",
    " ",
]
# What the contract refuses in any string: U+0000-U+001F, U+007F, and the characters
# XML cannot carry at all (U+FFFE, U+FFFF; surrogates cannot even be sent as UTF-8).
REFUSED = "".join(map(chr, range(0x20))) + "\x7f\ufffe\uffff"
LEGAL = st.characters(exclude_categories=["Cs"], exclude_characters=REFUSED)
FRAGMENTS = st.one_of(st.text(LEGAL, max_size=8), st.sampled_from(SPECIALS))
FIELDS = st.sampled_from(sorted(PROFILE_LIMITS))


@st.composite
def field_values(draw: st.DrawFn) -> tuple[str, str]:
    """A profile field and a value of any characters: in one case out of four with a
    refused character somewhere, in one out of ten just over the field's limit."""
    field = draw(FIELDS)
    limit = PROFILE_LIMITS[field]
    fragments = draw(st.lists(FRAGMENTS, max_size=12))
    if draw(st.integers(0, 3)) == 0:
        where = draw(st.integers(0, len(fragments)))
        fragments.insert(where, draw(st.sampled_from(REFUSED)))
    value = "".join(fragments)
    if draw(st.integers(0, 9)) == 0:
        value = (value or "x") * (limit // len(value or "x") + 1)
    return field, value[: limit + 1]


def is_refused(value: str, limit: int) -> bool:
    """The contract's rules, written independently of the code's: required fields are
    not empty; no U+0000-U+001F, U+007F, nor what XML cannot carry (U+FFFE, U+FFFF)."""
    return value == "" or any(c in REFUSED for c in value) or len(value) > limit


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


@pytest.fixture
def distributor(factory: Factory) -> Distributor:
    """One per test, not per example: Hypothesis runs every example inside the same
    function-scoped fixtures (hence the suppressed health check)."""
    return factory.distributor()


@pytest.fixture
def customer(factory: Factory, distributor: Distributor) -> Account:
    return factory.customer(distributor)


SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    field_value=field_values(),
    fmt=st.sampled_from(("json", "xml")),
    transport=st.sampled_from(TRANSPORTS),
)
def test_add_stores_any_text_or_names_the_field(
    client: httpx.Client,
    distributor: Distributor,
    field_value: tuple[str, str],
    fmt: str,
    transport: str,
) -> None:
    field, value = field_value
    username = unique("uni") + "@example.com"
    params = {
        **distributor.auth,
        **customer_params(distributor.package, username=username),
        field: value,
    }
    response = send(client, "distributor.add", fmt, transport, params)
    refused = is_refused(value, PROFILE_LIMITS[field])
    event("refused" if refused else "stored")
    if refused:
        assert_refused(response, field)
        assert read_back(client, distributor, username=username) == [[], []]
        return
    assert response.status_code == 200, response.text
    assert stored_value(client, distributor, username, field) == value
    assert_found_by_filter(client, distributor, username, field, value)


@SETTINGS
@given(
    field_value=field_values(),
    fmt=st.sampled_from(("json", "xml")),
    transport=st.sampled_from(TRANSPORTS),
)
def test_profile_set_stores_any_text_or_names_the_field(
    client: httpx.Client,
    distributor: Distributor,
    customer: Account,
    field_value: tuple[str, str],
    fmt: str,
    transport: str,
) -> None:
    field, value = field_value
    before = stored_value(client, distributor, customer.username, field)
    params = {
        **distributor.auth,
        "method": "profile",
        "task": "set",
        "user": customer.username,
        field: value,
    }
    response = send(client, "distributor.manage", fmt, transport, params)
    refused = is_refused(value, PROFILE_LIMITS[field])
    event("refused" if refused else "stored")
    if refused:
        assert_refused(response, field)
        assert stored_value(client, distributor, customer.username, field) == before
        return
    assert response.status_code == 200, response.text
    assert stored_value(client, distributor, customer.username, field) == value
    assert_found_by_filter(client, distributor, customer.username, field, value)
