"""Logging into the dashboard (docs/dashboard.md): every kind of login, admitted or refused with its
status and message; the session cookie; the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gridreseller.domain.access import Denial
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.web import messages
from tests.factories import Account, Factory, unique
from tests.support import eventually
from tests.web.support import set_distributor_enabled, sha256, stored_token_hashes
from tests.web.webclient import LOGIN_COOKIE, SESSION_COOKIE, WebClient, alert

Web = Callable[[], WebClient]
COOKIE_ATTRIBUTES = "; Path=/; Secure; HttpOnly; SameSite=Strict"
LANDING = {
    "distributor": "/dashboard/customers",
    "distributor credential": "/dashboard/customers",
    "customer": "/dashboard/account",
    "customer credential": "/dashboard/account",
}


def login_of(factory: Factory, kind: str) -> Account:
    """A login of that kind that may use the dashboard."""
    distributor = factory.distributor()
    if kind == "distributor":
        return distributor
    if kind == "distributor credential":
        return factory.credential(distributor, web=1)
    customer = factory.customer(distributor)
    if kind == "customer":
        return customer
    return factory.credential(customer, web=1)


def test_login_form_has_the_fixed_fields(web: Web) -> None:
    client = web()
    page = client.open("/dashboard/login")
    for field in ('name="username"', 'name="password"', 'type="hidden" name="csrf_token"'):
        assert field in page.text
    assert 'for="login-username"' in page.text and 'for="login-password"' in page.text
    [cookie] = client.set_cookies
    assert cookie.startswith(f"{LOGIN_COOKIE}=") and cookie.endswith(COOKIE_ATTRIBUTES)


@pytest.mark.parametrize("kind", list(LANDING))
def test_each_kind_of_login_gets_a_session(
    factory: Factory, web: Web, ctx: ServiceContext, kind: str
) -> None:
    client = web()
    response = client.login(login_of(factory, kind))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/dashboard/"
    [cookie] = [c for c in client.set_cookies if c.startswith(SESSION_COOKIE + "=")]
    assert cookie == f"{SESSION_COOKIE}={client.session}{COOKIE_ATTRIBUTES}"
    token = client.session
    assert token is not None and len(token) >= 43  # 32 random bytes, base64url
    stored = stored_token_hashes(ctx)
    assert sha256(token) in stored and token not in stored  # only the hash is kept
    assert LOGIN_COOKIE not in client.cookies  # the pre-session cookie is spent
    home = client.get("/dashboard/")
    assert home.status_code == 303 and home.headers["location"] == LANDING[kind]
    client.open(LANDING[kind])


def test_bad_logins_get_one_message_and_no_session(factory: Factory, web: Web) -> None:
    distributor = factory.distributor()
    deleted = factory.customer(distributor)
    deleted_credential = factory.credential(deleted, web=1)
    factory.call("distributor.delete", "json", distributor, user=deleted.username)
    cases = {
        "unknown username": Account(unique("nobody"), "whatever-pass"),
        "wrong password": Account(distributor.username, "wrong-password"),
        "password in the wrong case": Account(distributor.username, distributor.password.upper()),
        "deleted customer": deleted,
        "deleted customer's credential": deleted_credential,
        "empty password": Account(distributor.username, ""),
        "empty username": Account("", "whatever-pass"),
    }
    shown = {}
    for case, account in cases.items():
        client = web()
        response = client.login(account)
        assert response.status_code == 401, case
        assert client.session is None, case
        shown[case] = alert(response)
        assert 'name="username"' in response.text  # the form again
    assert set(shown.values()) == {messages.LOGIN_FAILED}


def _refused_logins(factory: Factory, ctx: ServiceContext) -> dict[str, tuple[Account, str]]:
    """Right passwords for logins the dashboard refuses, with the message each gets."""
    distributor = factory.distributor()
    without_web = factory.credential(distributor, email=1, api=1)
    closed = factory.customer(distributor)
    factory.call(
        "distributor.manage", "json", distributor, method="website_disable", user=closed.username
    )
    open_customer = factory.customer(distributor)
    customer_credential = factory.credential(open_customer, email=1, api=1)
    under_closed = factory.credential(closed, web=1)
    disabled = factory.distributor()
    disabled_credential = factory.credential(disabled, web=1)
    set_distributor_enabled(ctx, disabled.username, False)
    no_web = messages.DENIALS[Denial.NO_WEB_BIT]
    no_website = messages.DENIALS[Denial.NO_WEBSITE_ACCESS]
    disabled_message = messages.DENIALS[Denial.DISTRIBUTOR_DISABLED]
    return {
        "distributor's credential without web": (without_web, no_web),
        "customer without website access": (closed, no_website),
        "customer's credential without web": (customer_credential, no_web),
        "customer's credential, customer without website access": (under_closed, no_website),
        "disabled distributor": (disabled, disabled_message),
        "disabled distributor's credential": (disabled_credential, disabled_message),
    }


def test_right_passwords_that_may_not_use_the_dashboard_get_403(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    for case, (account, expected) in _refused_logins(factory, ctx).items():
        client = web()
        response = client.login(account)
        assert response.status_code == 403, case
        assert alert(response) == expected, case
        assert expected != messages.LOGIN_FAILED
        assert client.session is None, case


def test_logins_and_refusals_are_audited_on_the_dashboard_surface(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    factory.call(
        "distributor.manage", "json", distributor, method="website_disable", user=customer.username
    )
    web().login(distributor)
    web().login(Account(distributor.username, "wrong-password"))
    web().login(customer)

    def events() -> list[tuple[str, str, str, object]]:
        return sorted(
            (e.action, e.surface, e.target, e.details.get("reason"))
            for e in audit.events(ctx, None, None)
            if e.target in (distributor.username, customer.username)
            and e.action.startswith("login")
        )

    expected = [
        ("login.failed", "dashboard", distributor.username, None),
        ("login.refused", "dashboard", customer.username, "no_website_access"),
        ("login.succeeded", "dashboard", distributor.username, None),
    ]
    # Successes are written in a batch about once a second (identity/login_audit.py).
    assert eventually(lambda: events() == expected), events()


def test_a_new_login_replaces_the_browsers_old_session(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor = factory.distributor()
    client = web()
    client.login(distributor)
    first = client.session
    assert first is not None
    # A login form from before (another tab's), submitted while the session is live.
    other = web()
    other.open("/dashboard/login")
    client.cookies[LOGIN_COOKIE] = other.cookies[LOGIN_COOKIE]
    credentials = {"username": distributor.username, "password": distributor.password}
    response = client.post("/dashboard/login", credentials, token=other.token())
    assert response.status_code == 303
    assert client.session not in (None, first)
    assert sha256(first) not in stored_token_hashes(ctx)


def test_the_login_page_sends_a_live_session_on(factory: Factory, web: Web) -> None:
    client = web()
    client.login(factory.distributor())
    response = client.get("/dashboard/login")
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/"


def test_the_login_page_warns_where_a_browser_drops_secure_cookies(web: Web) -> None:
    client = web()
    warning = "your browser will not keep the login's secure cookie here"
    assert warning not in client.open("/dashboard/login").text  # http://127.0.0.1
    port = client.base_url.rsplit(":", 1)[1]
    for host in (f"dash.example:{port}", f"192.0.2.2:{port}"):
        elsewhere = client.get_with("/dashboard/login", {"Host": host})
        assert warning in elsewhere.text, host
    for host in (f"localhost:{port}", f"[::1]:{port}", f"app.localhost:{port}"):
        assert warning not in client.get_with("/dashboard/login", {"Host": host}).text
