"""A small browser over httpx for the dashboard's HTTP tests: it keeps the dashboard's
cookies itself (httpx's jar would not send Secure cookies over http://127.0.0.1, which
Chromium does: tests/web/test_browser.py), fills in each form's csrf_token from the page
that showed it, and reads the messages a page shows."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

from tests.factories import Account

SESSION_COOKIE = "__Host-gridreseller"
LOGIN_COOKIE = "__Host-gridreseller-login"
TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')
ALERT = re.compile(r'<div class="alert" role="alert">\s*<p>(.*?)</p>', re.S)
NOTICE = re.compile(r'<p class="notice" role="status">(.*?)</p>', re.S)
PROBLEM = re.compile(
    r'<section class="card narrow centered">\s*<h1>[^<]*</h1>\s*<p>(.*?)</p>', re.S
)
FIELD_ERROR = re.compile(r'<p class="error" id="([a-z_]+)-([a-z_\[\]]+)-error">(.*?)</p>', re.S)
GENERAL_ERRORS = re.compile(r'<div class="alert" role="alert">\s*<ul>(.*?)</ul>', re.S)


@dataclass
class WebClient:
    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)  # every Set-Cookie header seen
    last_page: str = ""

    def at(self, base_url: str) -> WebClient:
        """The same browser (cookies, last page) talking to another server."""
        return WebClient(base_url, self.cookies, self.set_cookies, self.last_page)

    def get(self, path: str, **params: str) -> httpx.Response:
        return self._send("GET", path, params=params)

    def get_with(self, path: str, headers: Mapping[str, str]) -> httpx.Response:
        return self._send("GET", path, headers=headers)

    def post(
        self,
        path: str,
        data: Mapping[str, str | list[str]] | list[tuple[str, str]],
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A form POST; `token` defaults to the csrf_token of the last page read."""
        pairs = list(data.items()) if isinstance(data, Mapping) else list(data)
        fields: list[tuple[str, str]] = []
        for name, value in pairs:
            fields.extend((name, v) for v in ([value] if isinstance(value, str) else value))
        if token is None:
            token = self.token()
        if token != "":
            fields.append(("csrf_token", token))
        return self._send("POST", path, data=fields, headers=headers)

    def token(self) -> str:
        found = TOKEN.search(self.last_page)
        assert found, "the last page has no form"
        return html.unescape(found.group(1))

    def login(self, account: Account) -> httpx.Response:
        """Through the login form, as a browser does."""
        self.get("/dashboard/login")
        return self.post(
            "/dashboard/login", {"username": account.username, "password": account.password}
        )

    def open(self, path: str, **params: str) -> httpx.Response:
        """GET a page that must answer 200 (its forms' tokens are then at hand)."""
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response

    @property
    def session(self) -> str | None:
        return self.cookies.get(SESSION_COOKIE)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        content = None
        if data is not None:
            content = urlencode(data)
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        response = httpx.request(
            method,
            self.base_url + path,
            params=params or None,
            content=content,
            headers=sent,
            timeout=30,
        )
        self._keep_cookies(response)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last_page = response.text
        return response

    def _keep_cookies(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            self.set_cookies.append(header)
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def alert(response: httpx.Response) -> str:
    """The one message of a refused login (or any page's alert)."""
    found = ALERT.search(response.text)
    assert found, response.text[:2000]
    return html.unescape(found.group(1))


def notice(response: httpx.Response) -> str:
    found = NOTICE.search(response.text)
    assert found, response.text[:2000]
    return html.unescape(found.group(1))


def problem(response: httpx.Response) -> str:
    """The message of a problem page (403, 404, 429...)."""
    found = PROBLEM.search(response.text)
    assert found, response.text[:2000]
    return html.unescape(found.group(1))


def field_errors(response: httpx.Response, form: str) -> dict[str, list[str]]:
    """The errors shown beside the fields of one form of the page."""
    shown: dict[str, list[str]] = {}
    for form_name, name, message in FIELD_ERROR.findall(response.text):
        if form_name == form:
            shown.setdefault(name, []).append(html.unescape(message))
    return shown


def all_errors(response: httpx.Response, form: str) -> list[str]:
    """Every error message of a refused form, beside fields or above it."""
    messages = [m for found in field_errors(response, form).values() for m in found]
    for block in GENERAL_ERRORS.findall(response.text):
        messages.extend(html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", block, re.S))
    # The permissions fieldset lists its errors without ids.
    messages.extend(
        html.unescape(m) for m in re.findall(r'<p class="error">(.*?)</p>', response.text, re.S)
    )
    return messages
