"""Forms from elsewhere are refused (docs/dashboard.md): a POST without the right token, or
whose Origin
or Sec-Fetch-Site says it comes from another site, gets 403 and changes nothing; a POST
with neither header is judged by its token alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.web import messages
from tests.factories import Account, Factory, unique
from tests.support import Clock
from tests.web.webclient import LOGIN_COOKIE, WebClient, alert, problem

Web = Callable[[], WebClient]

# Headers that say "another site", each with the right token.
FROM_ELSEWHERE = {
    "Origin of another host": {"Origin": "http://evil.example"},
    "Origin of another port": {"Origin": "http://127.0.0.1:1"},
    "Origin of another scheme": {"Origin": "https://127.0.0.1"},
    "Origin: null": {"Origin": "null"},
    "Sec-Fetch-Site: cross-site": {"Sec-Fetch-Site": "cross-site"},
    "Sec-Fetch-Site: same-site": {"Sec-Fetch-Site": "same-site"},
    "same-origin fetch, foreign Origin": {
        "Sec-Fetch-Site": "same-origin",
        "Origin": "http://evil.example",
    },
}


def own_headers(client: WebClient) -> dict[str, str]:
    """What a browser sends with a form of this very site."""
    return {"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"}


# The login form -----------------------------------------------------------------------


def _login_fields(account: Account) -> dict[str, str]:
    return {"username": account.username, "password": account.password}


def _failures_of(ctx: ServiceContext, username: str) -> int:
    return sum(
        1
        for e in audit.events(ctx, None, None)
        if e.target == username and e.action == "login.failed"
    )


def test_login_form_without_its_token_is_refused_before_any_login(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor = factory.distributor()
    wrong = Account(distributor.username, "wrong-password")
    other = web()
    other.open("/dashboard/login")
    cases = {
        "no token": "",
        "a made-up token": "1700000000." + "0" * 64,
        "garbage": "not-a-token",
        "another browser's token": other.token(),
    }
    for case, token in cases.items():
        client = web()
        client.open("/dashboard/login")
        response = client.post("/dashboard/login", _login_fields(wrong), token=token)
        assert response.status_code == 403, case
        assert alert(response) == messages.LOGIN_FORM_REFUSED, case
        assert client.session is None
    assert _failures_of(ctx, distributor.username) == 0  # no password was even tried


def test_login_form_needs_its_pre_session_cookie(factory: Factory, web: Web) -> None:
    client = web()
    client.open("/dashboard/login")
    del client.cookies[LOGIN_COOKIE]
    response = client.post("/dashboard/login", _login_fields(factory.distributor()))
    assert response.status_code == 403
    assert alert(response) == messages.LOGIN_FORM_REFUSED


def test_login_form_expires_after_the_longest_session(
    factory: Factory, web: Web, clock: Clock
) -> None:
    distributor = factory.distributor()
    clock.now = datetime(2026, 3, 1, 8, 0, 0)
    client = web()
    client.open("/dashboard/login")
    clock.advance(12 * 3600 + 1)
    response = client.post("/dashboard/login", _login_fields(distributor))
    assert response.status_code == 403
    assert client.post("/dashboard/login", _login_fields(distributor)).status_code == 303


@pytest.mark.parametrize("case", list(FROM_ELSEWHERE))
def test_login_form_from_elsewhere_is_refused(factory: Factory, web: Web, case: str) -> None:
    client = web()
    client.open("/dashboard/login")
    response = client.post(
        "/dashboard/login", _login_fields(factory.distributor()), headers=FROM_ELSEWHERE[case]
    )
    assert response.status_code == 403
    assert client.session is None


@pytest.mark.parametrize("headers", ["browser", "none"])
def test_login_form_of_this_site_is_accepted(factory: Factory, web: Web, headers: str) -> None:
    client = web()
    client.open("/dashboard/login")
    sent = own_headers(client) if headers == "browser" else {}
    response = client.post("/dashboard/login", _login_fields(factory.distributor()), headers=sent)
    assert response.status_code == 303
    assert client.session is not None


# Forms of a session ------------------------------------------------------------------


def _credential_names(factory: Factory, account: Account) -> list[str]:
    response = factory.call("credentials/get", "json", account)
    assert response.status_code == 200
    return [c["name"] for c in response.json()]


def _add_form(name: str) -> dict[str, str]:
    return {"username": name, "password": "cred-secret", "email": "1"}


def _logged_in(factory: Factory, web: Web) -> tuple[Account, WebClient]:
    distributor = factory.distributor()
    client = web()
    assert client.login(distributor).status_code == 303
    client.open("/dashboard/credentials")
    return distributor, client


def test_session_form_without_the_right_token_changes_nothing(factory: Factory, web: Web) -> None:
    distributor, client = _logged_in(factory, web)
    other_account, other = _logged_in(factory, web)
    login_page = web()
    login_page.open("/dashboard/login")
    cases = {
        "no token": "",
        "garbage": "not-a-token",
        "another session's token": other.token(),
        "the login form's token": login_page.token(),
    }
    for case, token in cases.items():
        response = client.post("/dashboard/credentials/add", _add_form(unique("c")), token=token)
        assert response.status_code == 403, case
        assert problem(response) == messages.FORM_REFUSED
    assert _credential_names(factory, distributor) == []
    assert _credential_names(factory, other_account) == []


@pytest.mark.parametrize("case", list(FROM_ELSEWHERE))
def test_session_form_from_elsewhere_changes_nothing(factory: Factory, web: Web, case: str) -> None:
    distributor, client = _logged_in(factory, web)
    response = client.post(
        "/dashboard/credentials/add", _add_form(unique("c")), headers=FROM_ELSEWHERE[case]
    )
    assert response.status_code == 403
    assert _credential_names(factory, distributor) == []


@pytest.mark.parametrize("headers", ["browser", "none"])
def test_session_form_of_this_site_is_accepted(factory: Factory, web: Web, headers: str) -> None:
    distributor, client = _logged_in(factory, web)
    name = unique("c")
    sent = own_headers(client) if headers == "browser" else {}
    response = client.post("/dashboard/credentials/add", _add_form(name), headers=sent)
    assert response.status_code == 303, response.text
    assert _credential_names(factory, distributor) == [name]


def test_every_page_masks_the_token_afresh_and_each_is_accepted(factory: Factory, web: Web) -> None:
    distributor, client = _logged_in(factory, web)
    first = client.token()
    client.open("/dashboard/credentials")
    second = client.token()
    assert first != second
    names = [unique("a"), unique("b")]
    for name, token in zip(names, [first, second], strict=True):
        response = client.post("/dashboard/credentials/add", _add_form(name), token=token)
        assert response.status_code == 303
    assert sorted(_credential_names(factory, distributor)) == sorted(names)


def test_logout_needs_the_token(factory: Factory, web: Web) -> None:
    _distributor, client = _logged_in(factory, web)
    assert client.post("/dashboard/logout", {}, token="").status_code == 403
    assert client.post("/dashboard/logout", {}, headers={"Origin": "null"}).status_code == 403
    client.open("/dashboard/credentials")  # still logged in
    response = client.post("/dashboard/logout", {})
    assert response.status_code == 303
    assert client.get("/dashboard/credentials").headers["location"] == "/dashboard/login"
