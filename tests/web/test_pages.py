"""What every dashboard answer carries (docs/dashboard.md): the security headers; pages that load
nothing from other hosts, run no script, and label every control."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import httpx

from tests.factories import Factory
from tests.web.webclient import WebClient

Web = Callable[[], WebClient]
HEADERS = {
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)


class PageAudit(HTMLParser):
    """Collects what a page links to, its scripts and styles, and its unlabelled controls."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts = 0
        self.inline_styles = 0
        self.labels: set[str] = set()
        self.controls: list[str] = []  # ids (or names) of visible inputs and selects

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.links.extend(v for k, v in attrs if k in ("href", "src", "action") and v)
        self.scripts += tag == "script"
        self.inline_styles += "style" in found or tag == "style"
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        visible = found.get("type") not in ("hidden", "submit") and "hidden" not in found
        if tag in ("input", "select", "textarea") and visible:
            self.controls.append(str(found.get("id") or found.get("name")))

    @property
    def unlabelled(self) -> list[str]:
        return [control for control in self.controls if control not in self.labels]


def audit_page(response: httpx.Response) -> PageAudit:
    page = PageAudit()
    page.feed(response.text)
    return page


def every_page(factory: Factory, web: Web) -> list[httpx.Response]:
    """One answer of each page, for each kind of login."""
    distributor = factory.distributor()
    factory.ip_group(distributor, "203.0.113.9")
    customer = factory.customer(distributor)
    credential = factory.credential(customer, web=1)
    distributor_credential = factory.credential(distributor, web=1)
    pages = []
    anonymous = web()
    pages.append(anonymous.get("/dashboard/login"))
    for login, paths in [
        (
            distributor,
            [
                "/dashboard/customers",
                "/dashboard/customers/new",
                f"/dashboard/customer?user={customer.username}",
                f"/dashboard/customer/delete?user={customer.username}",
                "/dashboard/packages",
                f"/dashboard/packages/delete?name={distributor.package}",
                "/dashboard/ip-groups",
                "/dashboard/credentials",
                f"/dashboard/credential?username={distributor_credential.username}",
                f"/dashboard/credential/remove?username={distributor_credential.username}",
                "/dashboard/activity",
                f"/dashboard/activity?user={customer.username}",
                "/dashboard/audit",
            ],
        ),
        (customer, ["/dashboard/credentials", "/dashboard/password", "/dashboard/account"]),
        (customer, ["/dashboard/activity", "/dashboard/audit?action=customer."]),
        (credential, ["/dashboard/account", "/dashboard/activity", "/dashboard/audit"]),
    ]:
        client = web()
        client.login(login)
        pages.extend(client.get(path) for path in paths)
    return pages


def test_every_page_is_safe_and_labelled(factory: Factory, web: Web) -> None:
    for response in every_page(factory, web):
        assert response.status_code == 200, response.url
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert_security_headers(response)
        page = audit_page(response)
        assert page.scripts == 0 and page.inline_styles == 0, response.url
        assert all(link.startswith("/dashboard") for link in page.links), page.links
        assert page.unlabelled == [], (response.url, page.unlabelled)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in (
            response.text
        )


def test_every_other_answer_carries_the_headers_too(factory: Factory, web: Web) -> None:
    client = web()
    answers = [
        client.get("/dashboard"),  # 303 to /dashboard/
        client.get("/dashboard/"),  # 303 to the login
        client.get("/dashboard/static/dashboard.css"),
        client.get("/dashboard/static/nothing-here.css"),
        client.post("/dashboard/logout", {}, token=""),
        client.post("/dashboard/login", {}, token=""),
        httpx.put(client.base_url + "/dashboard/login"),
    ]
    client.login(factory.distributor())
    answers.append(client.get("/dashboard/no-such-page"))
    answers.append(client.post("/dashboard/credentials/add", {}, token=""))
    statuses = [answer.status_code for answer in answers]
    assert statuses == [303, 303, 200, 404, 303, 403, 405, 404, 403]
    for answer in answers:
        assert_security_headers(answer)
    assert answers[0].headers["location"] == "/dashboard/"
    assert answers[2].headers["content-type"].startswith("text/css")
    assert set(answers[6].headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert answers[0].headers["referrer-policy"] == "same-origin"  # ?user=... stays here


def test_the_stylesheet_needs_nothing_from_elsewhere(web: Web) -> None:
    css = web().get("/dashboard/static/dashboard.css").text
    assert "url(" not in css and "@import" not in css
    assert "@media (max-width: 40rem)" in css  # the narrow-screen layout
