"""Dashboard sessions end when docs/dashboard.md says (revocation at the next request, timeouts,
logout) and go on when it says they go on; they survive a restart."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import httpx
import pytest

from gridreseller.services import audit, operator
from gridreseller.services.context import ServiceContext
from gridreseller.services.dashboard_sessions import token_hash
from tests.database import unit_of_work
from tests.factories import Account, Distributor, Factory
from tests.support import Clock, ThreadServer, container_for
from tests.web.support import session_rows, set_distributor_enabled
from tests.web.webclient import WebClient, field_errors, notice

Web = Callable[[], WebClient]


def logged_in(web: Web, account: Account) -> WebClient:
    client = web()
    assert client.login(account).status_code == 303
    return client


def assert_live(client: WebClient) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 303
    assert response.headers["location"] != "/dashboard/login"
    client.open(response.headers["location"])


def assert_ended(client: WebClient, ctx: ServiceContext, username: str) -> None:
    """Sent back to the login page, the cookie cleared, the row gone."""
    response = client.get("/dashboard/")
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/login"
    assert client.session is None
    assert session_rows(ctx, username) == 0


def manage(factory: Factory, distributor: Distributor, method: str, **params: str) -> None:
    response = factory.call("distributor.manage", "json", distributor, method=method, **params)
    assert response.status_code == 200, response.text


# Revocation at the next request ----------------------------------------------------


def _customer_with_web_credential(
    factory: Factory,
) -> tuple[Distributor, Account, Account]:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    return distributor, customer, factory.credential(customer, web=1)


@pytest.mark.parametrize(
    "event",
    ["password reset", "rename", "delete", "website_disable"],
)
def test_a_customer_change_ends_its_session(
    factory: Factory, web: Web, ctx: ServiceContext, event: str
) -> None:
    distributor, customer, _credential = _customer_with_web_credential(factory)
    client = logged_in(web, customer)
    assert_live(client)
    user = customer.username
    if event == "password reset":
        manage(
            factory,
            distributor,
            "password",
            user=user,
            password="n3w-pass",
            confirm_password="n3w-pass",
        )
    elif event == "rename":
        manage(factory, distributor, "profile", task="setUsername", user=user, username="r" + user)
    elif event == "delete":
        factory.call("distributor.delete", "json", distributor, user=user)
    else:
        manage(factory, distributor, "website_disable", user=user)
    assert_ended(client, ctx, "r" + user if event == "rename" else user)


@pytest.mark.parametrize("event", ["delete", "website_disable"])
def test_a_customer_change_ends_its_credentials_sessions(
    factory: Factory, web: Web, ctx: ServiceContext, event: str
) -> None:
    distributor, customer, credential = _customer_with_web_credential(factory)
    client = logged_in(web, credential)
    assert_live(client)
    if event == "delete":
        factory.call("distributor.delete", "json", distributor, user=customer.username)
    else:
        manage(factory, distributor, event, user=customer.username)
    assert_ended(client, ctx, credential.username)


@pytest.mark.parametrize("owner", ["distributor", "customer"])
@pytest.mark.parametrize("event", ["web bit removed", "password changed", "removed"])
def test_a_credential_change_ends_its_session(
    factory: Factory, web: Web, ctx: ServiceContext, owner: str, event: str
) -> None:
    distributor = factory.distributor()
    account: Account = distributor if owner == "distributor" else factory.customer(distributor)
    credential = factory.credential(account, web=1, email=1)
    client = logged_in(web, credential)
    assert_live(client)
    if event == "web bit removed":
        change = {"username": credential.username, "web": "0"}
        assert factory.call("credentials/edit", "json", account, **change).status_code == 200
    elif event == "password changed":
        change = {"username": credential.username, "password": "other-secret"}
        assert factory.call("credentials/edit", "json", account, **change).status_code == 200
    else:
        removal = {"username": credential.username}
        assert factory.call("credentials/remove", "json", account, **removal).status_code == 200
    assert_ended(client, ctx, credential.username)


def test_disabling_a_distributor_ends_its_and_its_credentials_sessions(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor = factory.distributor()
    credential = factory.credential(distributor, web=1)
    customer = factory.customer(distributor)
    sessions = [logged_in(web, login) for login in (distributor, credential, customer)]
    set_distributor_enabled(ctx, distributor.username, False)
    assert_ended(sessions[0], ctx, distributor.username)
    assert_ended(sessions[1], ctx, credential.username)
    assert_live(sessions[2])  # its customers keep working (docs/deployment.md)
    set_distributor_enabled(ctx, distributor.username, True)
    assert_live(logged_in(web, distributor))


def test_a_customers_rename_does_not_end_its_credentials_session(
    factory: Factory, web: Web
) -> None:
    distributor, customer, credential = _customer_with_web_credential(factory)
    client = logged_in(web, credential)
    user = customer.username
    manage(factory, distributor, "profile", task="setUsername", user=user, username="n" + user)
    assert_live(client)


# Changing one's own password --------------------------------------------------------


def _change_own_password(client: WebClient, current: str, new: str) -> httpx.Response:
    client.open("/dashboard/password")
    return client.post(
        "/dashboard/password",
        {"current_password": current, "password": new, "confirm_password": new},
    )


def test_own_password_change_keeps_this_session_and_ends_the_others(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    _distributor, customer, credential = _customer_with_web_credential(factory)
    this, other = logged_in(web, customer), logged_in(web, customer)
    under = logged_in(web, credential)
    response = _change_own_password(this, customer.password, "brand-new-pass")
    assert response.status_code == 303
    assert notice(this.open(response.headers["location"])).startswith("Your password was changed")
    assert_live(this)
    assert other.get("/dashboard/").headers["location"] == "/dashboard/login"
    assert session_rows(ctx, customer.username) == 1
    assert_live(under)  # a customer's credential has a login of its own (docs/dashboard.md)
    assert web().login(customer).status_code == 401
    assert web().login(Account(customer.username, "brand-new-pass")).status_code == 303
    entries = [e for e in audit.events(ctx, None, None) if e.action == "account.password"]
    assert [(e.target, e.surface, e.details) for e in entries[-1:]] == [
        (customer.username, "dashboard", {"password": "(changed)"})
    ]


def test_own_password_change_needs_the_current_password(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    customer = factory.customer(factory.distributor())
    client = logged_in(web, customer)
    response = _change_own_password(client, "not-my-password", "brand-new-pass")
    assert response.status_code == 400
    assert field_errors(response, "password") == {
        "current_password": ["“Current password” is not correct"]
    }
    failures = [e for e in audit.events(ctx, None, None) if e.target == customer.username]
    assert [(e.action, e.surface) for e in failures][-1] == ("login.failed", "dashboard")
    assert_live(client)
    assert web().login(customer).status_code == 303  # unchanged


def test_own_password_follows_the_password_rules(factory: Factory, web: Web) -> None:
    customer = factory.customer(factory.distributor())
    client = logged_in(web, customer)
    client.open("/dashboard/password")
    response = client.post(
        "/dashboard/password",
        {"current_password": customer.password, "password": "short", "confirm_password": "x"},
    )
    assert response.status_code == 400
    assert field_errors(response, "password") == {
        "password": ["“New password” must be at least 6 characters"],
        "confirm_password": ["“Repeat the new password” must match “New password”"],
    }


# Timeouts -----------------------------------------------------------------------------


def _last_seen(ctx: ServiceContext, client: WebClient) -> datetime:
    assert client.session is not None
    with unit_of_work(ctx).read() as repository:
        row = repository.session_by_token(token_hash(client.session))
    assert row is not None
    return row.last_seen_at


def test_idle_sessions_end_after_30_minutes(
    factory: Factory, web: Web, ctx: ServiceContext, clock: Clock
) -> None:
    clock.now = datetime(2026, 4, 1, 9, 0, 0)
    distributor = factory.distributor()
    client = logged_in(web, distributor)
    for _ in range(3):
        clock.advance(29 * 60)
        assert_live(client)  # each visit counts as activity
    clock.advance(30 * 60 + 1)
    assert_ended(client, ctx, distributor.username)


def test_sessions_end_12_hours_after_login_however_busy(
    factory: Factory, web: Web, ctx: ServiceContext, clock: Clock
) -> None:
    clock.now = datetime(2026, 4, 1, 9, 0, 0)
    distributor = factory.distributor()
    client = logged_in(web, distributor)
    for _ in range(12 * 60 // 20 - 1):
        clock.advance(20 * 60)
        assert_live(client)
    clock.advance(20 * 60 + 1)
    assert_ended(client, ctx, distributor.username)


def test_last_seen_is_written_at_most_once_a_minute(
    factory: Factory, web: Web, ctx: ServiceContext, clock: Clock
) -> None:
    start = datetime(2026, 4, 1, 9, 0, 0)
    clock.now = start
    client = logged_in(web, factory.distributor())
    clock.advance(59)
    assert_live(client)
    assert _last_seen(ctx, client) == start
    clock.advance(1)
    assert_live(client)
    assert _last_seen(ctx, client) == datetime(2026, 4, 1, 9, 1, 0)


def test_timeouts_follow_their_settings(fresh_database_url: str) -> None:
    clock = Clock(datetime(2026, 4, 1, 9, 0, 0))
    container = container_for(
        fresh_database_url, clock, dashboard_idle_minutes=5, dashboard_max_hours=1
    )
    operator.create_distributor(container.services, "timed", "timed-pass", "t@example.com")
    server = ThreadServer(container)
    server.start()
    try:
        client = WebClient(server.url)
        assert client.login(Account("timed", "timed-pass")).status_code == 303
        clock.advance(4 * 60)
        assert_live(client)
        clock.advance(5 * 60 + 1)
        assert client.get("/dashboard/").headers["location"] == "/dashboard/login"
        assert client.login(Account("timed", "timed-pass")).status_code == 303
        for _ in range(14):
            clock.advance(4 * 60)
            assert_live(client)
        clock.advance(4 * 60 + 1)  # past the hour
        assert client.get("/dashboard/").headers["location"] == "/dashboard/login"
    finally:
        server.stop()


# Logout and restarts ------------------------------------------------------------------


def test_logout_ends_that_session_only(factory: Factory, web: Web, ctx: ServiceContext) -> None:
    distributor = factory.distributor()
    leaving, staying = logged_in(web, distributor), logged_in(web, distributor)
    leaving.open("/dashboard/customers")
    token = leaving.session
    response = leaving.post("/dashboard/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/login?notice=logged_out"
    assert leaving.session is None
    assert notice(leaving.open(response.headers["location"])) == "You are logged out."
    assert session_rows(ctx, distributor.username) == 1
    assert_live(staying)
    replayed = WebClient(leaving.base_url, cookies={"__Host-gridreseller": str(token)})
    assert replayed.get("/dashboard/customers").headers["location"] == "/dashboard/login"


def test_sessions_survive_a_restart(fresh_database_url: str) -> None:
    def serve() -> ThreadServer:
        server = ThreadServer(container_for(fresh_database_url))
        server.start()
        return server

    first = serve()
    operator.create_distributor(first.container.services, "kept", "kept-pass", "k@example.com")
    client = WebClient(first.url)
    assert client.login(Account("kept", "kept-pass")).status_code == 303
    first.stop()
    first.container.close()
    second = serve()
    try:
        moved = WebClient(second.url, cookies=dict(client.cookies))
        assert_live(moved)
    finally:
        second.stop()


def test_a_hash_upgraded_at_login_keeps_the_session(fresh_database_url: str) -> None:
    """A login whose stored hash is re-hashed with stronger parameters as it logs in: the
    session carries the new hash's fingerprint (it was the old one's: ended at once)."""
    weak = container_for(fresh_database_url, argon2_time_cost=1)
    operator.create_distributor(weak.services, "upgraded", "upgraded-pass", "u@example.com")
    weak.close()
    server = ThreadServer(container_for(fresh_database_url, argon2_time_cost=2))
    server.start()
    try:
        client = WebClient(server.url)
        assert client.login(Account("upgraded", "upgraded-pass")).status_code == 303
        assert_live(client)
    finally:
        server.stop()


def test_session_cookie_values_are_never_json_or_guessable(factory: Factory, web: Web) -> None:
    """256 random bits each: no two alike, nothing derived from the login."""
    distributor = factory.distributor()
    tokens = {logged_in(web, distributor).session for _ in range(5)}
    assert len(tokens) == 5
    for token in tokens:
        assert token is not None and distributor.username not in token
        with pytest.raises(json.JSONDecodeError):
            json.loads(token)
