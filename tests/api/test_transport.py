"""Transport rules (docs/api.md): verbs, encodings, parameter merging, limits, headers, formats."""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import httpx
import pytest

from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.support import errors, message, parse

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MIB = 1024 * 1024
XML_TYPE = "application/xml; charset=ISO-8859-1"
XML_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>'


def path(endpoint: str, fmt: str) -> str:
    return f"/api/{endpoint}.{fmt}"


def post_form(
    client: httpx.Client, url: str, pairs: list[tuple[str, str]], query: str = ""
) -> httpx.Response:
    return client.post(url + query, content=urlencode(pairs), headers=FORM)


def query(pairs: list[tuple[str, str]]) -> str:
    return "?" + urlencode(pairs)


def package_names(response: httpx.Response) -> list[str]:
    data = parse(response)
    rows = data["packages"] if isinstance(data, dict) else data
    return [row["name"] for row in rows]


def credential_names(factory: Factory, account: Account) -> list[str]:
    response = factory.call("credentials/get", "json", account)
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()]


def assert_format(response: httpx.Response, fmt: str) -> None:
    content_type = response.headers["content-type"]
    if fmt == "xml":
        assert content_type == XML_TYPE
        assert response.content.startswith(XML_DECLARATION)
    else:
        media, _, charset = content_type.partition(";")
        assert media.strip() == "application/json"
        assert charset.strip().lower() in ("", "charset=utf-8")
        json.loads(response.content.decode("utf-8"))


def assert_error(response: httpx.Response, status: int, fmt: str) -> list[str]:
    assert response.status_code == status, response.text
    assert_format(response, fmt)
    assert message(response) == "error"
    found = errors(response)
    assert found and all(isinstance(e, str) and e for e in found)
    return found


def random_ip() -> str:
    """An address from 2001:db8::/32 no other test will have used."""
    return str(ipaddress.IPv6Address((0x20010DB8 << 96) | (uuid.uuid4().int >> 32)))


# GET, POST, urlencoded, multipart --------------------------------------------------


def test_get_with_query_string_works_like_post(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    url = path("distributor.packages", fmt)
    got = factory.client.get(url, params=distributor.auth)
    posted = post_form(factory.client, url, list(distributor.auth.items()))
    assert got.status_code == posted.status_code == 200
    assert got.content == posted.content
    assert package_names(got) == [distributor.package]


def test_get_can_make_a_change(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    name = unique("cred")
    params = {**distributor.auth, "username": name, "password": "secret-1"}
    response = factory.client.get(path("credentials/add", fmt), params=params)
    assert response.status_code == 200, response.text
    assert message(response) == "success"
    assert credential_names(factory, distributor) == [name]


def test_post_multipart_form_data(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    name = unique("cred")
    fields = {
        **distributor.auth,
        "username": name,
        "password": "secret-1",
        "permissions": '{"web": 1}',
    }
    response = factory.client.post(
        path("credentials/add", fmt),
        data=fields,
        files={"attachment": ("note.txt", b"ignored", "text/plain")},
    )
    assert response.request.headers["content-type"].startswith("multipart/form-data")
    assert response.status_code == 200, response.text
    listed = factory.call("credentials/get", "json", distributor, username=name).json()
    assert listed["permissions"] == {"email": 0, "web": 1, "api": 0}


def test_multipart_field_parts_without_filename(factory: Factory) -> None:
    distributor = factory.distributor()
    response = factory.client.post(
        path("distributor.packages", "json"),
        files={name: (None, value) for name, value in distributor.auth.items()},
    )
    assert response.request.headers["content-type"].startswith("multipart/form-data")
    assert response.status_code == 200, response.text


# Query and body together -------------------------------------------------------------


def test_parameters_are_the_union_of_query_and_body(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = post_form(
        factory.client,
        path("distributor.packages", fmt),
        [("api_key", distributor.password)],
        query([("api_user", distributor.username)]),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("in_query", "in_body", "status"),
    [("wrong-password", "right", 200), ("right", "wrong-password", 401)],
    ids=["right-in-body", "wrong-in-body"],
)
def test_body_wins_a_clash(
    factory: Factory, fmt: str, in_query: str, in_body: str, status: int
) -> None:
    distributor = factory.distributor()

    def key(value: str) -> str:
        return distributor.password if value == "right" else value

    response = post_form(
        factory.client,
        path("distributor.packages", fmt),
        [("api_user", distributor.username), ("api_key", key(in_body))],
        query([("api_key", key(in_query))]),
    )
    assert response.status_code == status, response.text


def test_api_user_once_in_query_and_once_in_body_body_wins(factory: Factory) -> None:
    distributor = factory.distributor()
    response = post_form(
        factory.client,
        path("distributor.packages", "json"),
        [("api_user", distributor.username), ("api_key", distributor.password)],
        query([("api_user", unique("nobody"))]),
    )
    assert response.status_code == 200, response.text


def test_body_value_wins_for_ordinary_parameters(factory: Factory) -> None:
    distributor = factory.distributor()
    in_query, in_body = unique("query"), unique("body")
    response = post_form(
        factory.client,
        path("credentials/add", "json"),
        [*distributor.auth.items(), ("username", in_body), ("password", "secret-1")],
        query([("username", in_query)]),
    )
    assert response.status_code == 200, response.text
    assert credential_names(factory, distributor) == [in_body]


def add_customer_with_groups(
    factory: Factory, distributor: Distributor, groups: list[str]
) -> httpx.Response:
    params = customer_params(distributor.package)
    return factory.call("distributor.add", "json", distributor, ip_group=groups, **params)


def test_array_parameters_repeat_with_brackets(factory: Factory) -> None:
    distributor = factory.distributor()
    groups = [factory.ip_group(distributor, random_ip()) for _ in range(2)]
    assert add_customer_with_groups(factory, distributor, groups).status_code == 200
    missing = unique("nogroup")
    rejected = add_customer_with_groups(factory, distributor, [groups[0], missing])
    assert rejected.status_code == 400
    assert any("ip_group" in e and missing in e for e in errors(rejected)), errors(rejected)


# Duplicates and parameter count ------------------------------------------------------


def twice(account: Account, name: str) -> list[tuple[str, str]]:
    return [*account.auth.items(), (name, account.auth[name])]


@pytest.mark.parametrize("name", ["api_user", "api_key"])
@pytest.mark.parametrize("where", ["query", "body", "multipart"])
def test_auth_parameter_twice_in_one_place_is_400(
    factory: Factory, fmt: str, name: str, where: str
) -> None:
    distributor = factory.distributor()
    url = path("distributor.packages", fmt)
    pairs = twice(distributor, name)
    if where == "query":
        response = factory.client.get(url + query(pairs))
    elif where == "body":
        response = post_form(factory.client, url, pairs)
    else:
        response = factory.client.post(url, files=[(k, (None, v)) for k, v in pairs])
    found = assert_error(response, 400, fmt)
    assert any(name in error for error in found), found


def padding(count: int) -> list[tuple[str, str]]:
    return [(f"p{i}", "x") for i in range(count)]


@pytest.mark.parametrize(
    ("in_query", "in_body", "status"),
    [(0, 198, 200), (0, 199, 400), (99, 100, 400), (198, 0, 200), (199, 0, 400)],
)
def test_at_most_200_parameters(
    factory: Factory, fmt: str, in_query: int, in_body: int, status: int
) -> None:
    distributor = factory.distributor()
    body = [*distributor.auth.items(), *padding(in_body)]
    extra = [(f"q{name}", value) for name, value in padding(in_query)]
    response = post_form(
        factory.client, path("distributor.packages", fmt), body, query(extra) if extra else ""
    )
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        assert_error(response, 400, fmt)


# Body size and type ----------------------------------------------------------------


def oversized_body(size: int) -> bytes:
    head = b"api_user=x&api_key=y&pad="
    return head + b"a" * (size - len(head))


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_one_mib_is_413(client: httpx.Client, fmt: str, chunked: bool) -> None:
    data = oversized_body(MIB + 1)
    content = chunks(data) if chunked else data
    response = client.post(path("distributor.packages", fmt), content=content, headers=FORM)
    if chunked:
        assert "content-length" not in response.request.headers
    assert_error(response, 413, fmt)
    assert response.headers["x-content-type-options"] == "nosniff"


def test_body_of_exactly_one_mib_is_accepted(factory: Factory) -> None:
    distributor = factory.distributor()
    head = urlencode(distributor.auth).encode() + b"&pad="
    data = head + b"a" * (MIB - len(head))
    assert len(data) == MIB
    response = factory.client.post(path("distributor.packages", "json"), content=data, headers=FORM)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml"])
def test_non_form_body_is_415(factory: Factory, fmt: str, content_type: str) -> None:
    distributor = factory.distributor()
    response = factory.client.post(
        path("distributor.packages", fmt),
        content=json.dumps(distributor.auth),
        headers={"Content-Type": content_type},
    )
    assert_error(response, 415, fmt)


@pytest.mark.parametrize(
    ("url_query", "body"),
    [("", b"api_user=%FF&api_key=x"), ("", b"api_user=\xff&api_key=x"), ("?api_user=%FF", b"")],
    ids=["body-percent", "body-raw", "query"],
)
def test_invalid_utf8_is_400(client: httpx.Client, fmt: str, url_query: str, body: bytes) -> None:
    url = path("credentials/get", fmt) + url_query
    assert_error(client.post(url, content=body, headers=FORM), 400, fmt)


# Verbs and unknown endpoints -----------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("endpoint", ["distributor.packages", "credentials/get"])
def test_other_verbs_are_405(factory: Factory, fmt: str, method: str, endpoint: str) -> None:
    distributor = factory.distributor()
    response = factory.client.request(
        method, path(endpoint, fmt), content=urlencode(distributor.auth), headers=FORM
    )
    assert_error(response, 405, fmt)
    allowed = {verb.strip().upper() for verb in response.headers["allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert method not in allowed


@pytest.mark.parametrize(
    ("url", "fmt"),
    [
        ("/api/nothing.xml", "xml"),
        ("/api/nothing.json", "json"),
        ("/api/distributor.add.txt", "json"),
        ("/api/distributor.add", "json"),
        ("/api/credentials/nothing.xml", "xml"),
        ("/nothing", "json"),
    ],
)
def test_unknown_endpoint_is_404(factory: Factory, url: str, fmt: str) -> None:
    distributor = factory.distributor()
    assert_error(factory.client.post(url, data=distributor.auth), 404, fmt)
    assert_error(factory.client.get(url, params=distributor.auth), 404, fmt)


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"


# Headers on every kind of answer -------------------------------------------------------


Request = Callable[[Factory, Distributor, str], httpx.Response]
REQUESTS: dict[int, Request] = {
    200: lambda f, d, fmt: f.call("distributor.packages", fmt, d),
    400: lambda f, d, fmt: f.call("credentials/add", fmt, d, username="bad name!"),
    401: lambda f, d, fmt: f.call("distributor.packages", fmt, None),
    403: lambda f, d, fmt: f.call("distributor.packages", fmt, f.customer(d)),
    404: lambda f, d, fmt: f.client.get(f"/api/nothing.{fmt}"),
    405: lambda f, d, fmt: f.client.put(path("distributor.packages", fmt)),
    413: lambda f, d, fmt: f.client.post(
        path("distributor.packages", fmt), content=oversized_body(MIB + 1), headers=FORM
    ),
    415: lambda f, d, fmt: f.client.post(
        path("distributor.packages", fmt), content=b"{}", headers={"Content-Type": "text/json"}
    ),
}


@pytest.mark.parametrize("status", sorted(REQUESTS))
def test_every_response_has_nosniff_and_its_format(factory: Factory, fmt: str, status: int) -> None:
    response = REQUESTS[status](factory, factory.distributor(), fmt)
    assert response.status_code == status, response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert_format(response, fmt)


# Character encodings -----------------------------------------------------------------


NAME = "Zoë € 😀 Ω"


def listed_customer(factory: Factory, fmt: str) -> httpx.Response:
    distributor = factory.distributor()
    factory.customer(distributor, first_name=NAME)
    response = factory.call("distributor.manage", fmt, distributor, method="profile", task="get")
    assert response.status_code == 200, response.text
    return response


def char_ref(char: str) -> re.Pattern[bytes]:
    code = ord(char)
    return re.compile(rf"&#(?:{code}|[xX]0*{code:x});".encode(), re.IGNORECASE)


def test_json_is_utf8(factory: Factory) -> None:
    response = listed_customer(factory, "json")
    assert_format(response, "json")
    assert json.loads(response.content.decode("utf-8"))[0]["first_name"] == NAME


def test_xml_is_latin1_with_character_references(factory: Factory) -> None:
    response = listed_customer(factory, "xml")
    raw = response.content
    assert response.headers["content-type"] == XML_TYPE
    assert raw.startswith(XML_DECLARATION)
    for char in "€😀Ω":
        assert char_ref(char).search(raw), (char, raw)
        assert char.encode("utf-8") not in raw
    assert "ë".encode("latin-1") in raw or char_ref("ë").search(raw)
    root = ET.fromstring(raw)
    assert root.findtext("user/first_name") == NAME
    assert parse(response)[0]["first_name"] == NAME


def test_xml_error_is_well_formed_latin1(factory: Factory) -> None:
    distributor = factory.distributor()
    group = "gr€up-" + unique()
    response = factory.call(
        "distributor.add",
        "xml",
        distributor,
        ip_group=[group],
        **{"username": unique("c") + "@example.com", "password": "secret-1"},
    )
    assert_error(response, 400, "xml")
    assert "€".encode() not in response.content
    ET.fromstring(response.content)
