"""`GET /` through the real server: a small page that points a person to the dashboard
and the OpenAPI document, instead of the API's 404."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support import errors


def test_the_root_page_points_to_the_dashboard_and_the_api_description(
    client: httpx.Client,
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    links = re.findall(r'href="([^"]+)"', response.text)
    assert links == ["/dashboard/", "/openapi.json"]
    for link in links:
        followed = client.get(link, follow_redirects=True)
        assert followed.status_code == 200, link
    assert client.get("/openapi.json").json()["openapi"].startswith("3.")


def test_head_has_the_headers_without_the_body(client: httpx.Client) -> None:
    page = client.get("/")
    response = client.head("/")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(page.content))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_verbs_are_refused_with_405(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert errors(response) == [f"{method} is not allowed; use GET"]


@pytest.mark.parametrize("other", ["/index.html", "/%2F", "/api"])
def test_only_the_root_itself_is_the_page(client: httpx.Client, other: str) -> None:
    response = client.get(other)
    assert response.status_code == 404
    assert errors(response) == ["Unknown endpoint"]
