"""`GET /auth/mail` (docs/smtp.md, nginx's mail proxy) with crafted headers: every row of the
table, the secret,
nginx's escaping, and 404 when it is not configured."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from gridreseller.bootstrap import Container
from gridreseller.services.context import ServiceContext
from tests.factories import Factory, unique
from tests.mail.support import delete_customer, manage_customer, set_distributor_active
from tests.support import ThreadServer, container_for, eventually, verifications

SECRET = "s3cret-between-nginx-and-us"
UPSTREAM = "192.0.2.25:2525"
FAILURES = 3
OK_HEADERS = {"auth-status": "OK", "auth-server": "192.0.2.25", "auth-port": "2525"}
BAD = {"auth-status": "Bad username / password", "auth-error-code": "535 5.7.8"}


@dataclass
class AuthServer:
    url: str
    container: Container

    def ask(
        self,
        user: str | bytes,
        password: str | bytes,
        *,
        secret: str | None = SECRET,
        attempt: int = 1,
        method: str = "plain",
        protocol: str = "smtp",
        client_ip: str = "198.51.100.7",
    ) -> httpx.Response:
        """What nginx sends; str values are escaped as nginx escapes them."""
        headers: list[tuple[bytes, bytes]] = [
            (b"Auth-Method", method.encode()),
            (b"Auth-User", nginx_escape(user) if isinstance(user, str) else user),
            (b"Auth-Pass", nginx_escape(password) if isinstance(password, str) else password),
            (b"Auth-Protocol", protocol.encode()),
            (b"Auth-Login-Attempt", str(attempt).encode()),
            (b"Client-IP", client_ip.encode()),
        ]
        if secret is not None:
            headers.append((b"X-Gridreseller-Secret", secret.encode()))
        return httpx.get(f"{self.url}/auth/mail", headers=headers, timeout=30)


def nginx_escape(text: str) -> bytes:
    """ngx_escape_uri(NGX_ESCAPE_MAIL_AUTH): space, `%` and control bytes as %XX."""
    return b"".join(
        f"%{byte:02X}".encode() if byte <= 0x20 or byte in (0x25, 0x7F) else bytes([byte])
        for byte in text.encode()
    )


def auth_headers(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return {k: v for k, v in response.headers.items() if k.startswith("auth-")}


@pytest.fixture(scope="module")
def auth_server(database_url: str) -> Iterator[AuthServer]:
    """`serve` with /auth/mail configured, on the shared database; it locks after
    FAILURES failures and counts its argon2 verifications."""
    container = container_for(
        database_url,
        counting=True,
        mail_auth_secret=SECRET,
        mail_upstream=UPSTREAM,
        throttle_account_failures=FAILURES,
    )
    server = ThreadServer(container)
    server.start()
    yield AuthServer(server.url, container)
    server.stop()


# The rows of docs/smtp.md, nginx's mail proxy
# ------------------------------------------------------------------


def test_may_send_answers_ok_with_the_upstream_and_the_stored_username(
    factory: Factory, auth_server: AuthServer
) -> None:
    distributor = factory.distributor()
    kinds = [
        distributor,
        factory.customer(distributor),
        factory.credential(distributor, email=1),
        factory.credential(factory.customer(distributor), email=1),
    ]
    for account in kinds:
        answer = auth_headers(auth_server.ask(account.username.upper(), account.password))
        assert answer == {**OK_HEADERS, "auth-user": account.username}, account


def test_bad_credentials_are_one_answer_with_auth_wait_for_early_attempts(
    factory: Factory, ctx: ServiceContext, auth_server: AuthServer
) -> None:
    owner = factory.distributor()
    gone = factory.customer(owner)
    delete_customer(ctx, owner, gone)
    cases = [
        (unique("nobody") + "@example.com", "secret-pass"),
        (factory.customer(owner).username, "wrong-pass"),
        (gone.username, gone.password),
        (owner.username, ""),
    ]
    for user, password in cases:
        for attempt in (1, 2):
            answer = auth_headers(auth_server.ask(user, password, attempt=attempt))
            assert answer == {**BAD, "auth-wait": "2"}, (user, attempt)
    # Past the third attempt nginx gets no Auth-Wait: it closes the connection.
    assert auth_headers(auth_server.ask(unique("nobody"), "x", attempt=3)) == BAD


def test_a_customer_with_no_credit_left_is_refused_at_login(
    factory: Factory, ctx: ServiceContext, auth_server: AuthServer
) -> None:
    """docs/api.md, sending credits: nginx hands the session over whole, so credits are judged
    at AUTH."""
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    sender = factory.credential(customer, email=1)
    limit = {"method": "limit", "user": customer.username}
    manage_customer(ctx, distributor, **limit, task="total", credits="1")
    assert (
        auth_headers(auth_server.ask(customer.username, customer.password))["auth-status"] == "OK"
    )
    manage_customer(ctx, distributor, **limit, task="decrement", credits="1")
    refused = {
        "auth-status": "No sending credits left for this account",
        "auth-error-code": "454 4.7.0",
    }
    for account in (customer, sender):
        assert auth_headers(auth_server.ask(account.username, account.password)) == refused
    manage_customer(ctx, distributor, **limit, task="none")
    assert auth_headers(auth_server.ask(sender.username, sender.password))["auth-status"] == "OK"


def test_may_not_send_is_535_5_7_1_with_the_reason(
    factory: Factory, ctx: ServiceContext, auth_server: AuthServer
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    manage_customer(ctx, distributor, method="disable", user=customer.username)
    no_email = factory.credential(factory.distributor(), email=0, api=1)
    disabled = factory.distributor()
    set_distributor_active(ctx, disabled, False)
    expected = {
        customer: "The account is disabled and may not send mail",
        no_email: "The credential lacks the email permission",
        disabled: "The login's distributor account is disabled",
    }
    for account, reason in expected.items():
        answer = auth_headers(auth_server.ask(account.username, account.password))
        assert answer == {"auth-status": reason, "auth-error-code": "535 5.7.1"}


def test_throttled_is_454_4_7_0_without_auth_wait(
    factory: Factory, auth_server: AuthServer
) -> None:
    account = factory.customer(factory.distributor())
    for attempt in range(1, FAILURES + 1):
        auth_server.ask(account.username, "wrong-pass", attempt=attempt)
    answer = auth_headers(auth_server.ask(account.username, account.password))
    assert answer == {
        "auth-status": "Too many failed logins; try again later",
        "auth-error-code": "454 4.7.0",
    }


# The secret ---------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1], SECRET.upper()])
def test_without_the_right_secret_403_and_no_login_is_tried(
    factory: Factory, auth_server: AuthServer, secret: str | None
) -> None:
    account = factory.customer(factory.distributor())
    before = verifications(auth_server.container)
    response = auth_server.ask(account.username, account.password, secret=secret)
    assert response.status_code == 403
    assert not any(k.startswith("auth-") for k in response.headers)
    assert verifications(auth_server.container) == before


def test_not_configured_is_404(client: httpx.Client) -> None:
    response = client.get("/auth/mail", headers={"X-Gridreseller-Secret": SECRET})
    assert response.status_code == 404
    assert "auth-status" not in response.headers


def test_half_configured_is_404(fresh_database_url: str) -> None:
    halves = (
        container_for(fresh_database_url, mail_auth_secret=SECRET),
        container_for(fresh_database_url, mail_upstream=UPSTREAM),
    )
    for container in halves:
        server = ThreadServer(container)
        server.start()
        try:
            response = httpx.get(
                f"{server.url}/auth/mail", headers={"X-Gridreseller-Secret": SECRET}
            )
            assert response.status_code == 404
        finally:
            server.stop()


# Escaping, methods, protocols, the client's address -----------------------------------


@pytest.mark.parametrize(
    "password",
    ["with space", "per%cent", "%25 literal", "plus+sign", 'quote"d', "ümläut-日本", " lead+%2B"],
)
def test_passwords_as_nginx_escapes_them(
    factory: Factory, auth_server: AuthServer, password: str
) -> None:
    account = factory.customer(factory.distributor(), password=password)
    assert auth_headers(auth_server.ask(account.username, password)) == {
        **OK_HEADERS,
        "auth-user": account.username,
    }


def test_a_raw_utf8_username_and_its_stored_form(factory: Factory, auth_server: AuthServer) -> None:
    account = factory.customer(factory.distributor(), username=f"jörg-{unique()}@example.com")
    response = auth_server.ask(account.username.upper(), account.password)
    assert auth_headers(response)["auth-status"] == "OK"
    raw = dict(response.headers.raw)[b"auth-user"]
    assert raw.decode("utf-8") == account.username


def test_credentials_that_are_not_utf8_are_bad_credentials(
    factory: Factory, auth_server: AuthServer
) -> None:
    account = factory.customer(factory.distributor())
    before = verifications(auth_server.container)
    answer = auth_headers(auth_server.ask(account.username, b"%FF%FE", attempt=3))
    assert answer == BAD
    assert verifications(auth_server.container) == before


@pytest.mark.parametrize("method", ["plain", "PLAIN", "login", "Login"])
def test_plain_and_login_in_any_case(
    factory: Factory, auth_server: AuthServer, method: str
) -> None:
    account = factory.distributor()
    answer = auth_headers(auth_server.ask(account.username, account.password, method=method))
    assert answer["auth-status"] == "OK"


@pytest.mark.parametrize(
    ("method", "protocol", "expected"),
    [
        ("cram-md5", "smtp", ("Unsupported authentication method", "504 5.5.4")),
        ("apop", "smtp", ("Unsupported authentication method", "504 5.5.4")),
        ("external", "smtp", ("Unsupported authentication method", "504 5.5.4")),
        ("none", "smtp", ("Authentication required", "530 5.7.0")),
        ("plain", "imap", ("Only SMTP is served", "502 5.5.1")),
        ("plain", "pop3", ("Only SMTP is served", "502 5.5.1")),
    ],
)
def test_other_methods_and_protocols_are_refused_without_a_login(
    factory: Factory,
    auth_server: AuthServer,
    method: str,
    protocol: str,
    expected: tuple[str, str],
) -> None:
    account = factory.distributor()
    before = verifications(auth_server.container)
    response = auth_server.ask(account.username, account.password, method=method, protocol=protocol)
    status, code = expected
    assert auth_headers(response) == {"auth-status": status, "auth-error-code": code}
    assert verifications(auth_server.container) == before


def test_submission_is_a_protocol_too(factory: Factory, auth_server: AuthServer) -> None:
    account = factory.distributor()
    response = auth_server.ask(account.username, account.password, protocol="submission")
    assert auth_headers(response)["auth-status"] == "OK"


def audit_clients(ctx: ServiceContext, username: str) -> list[tuple[str, str, str]]:
    with ctx.uow.read() as repository:
        events = repository.audit_events(None, None)
        return [(e.action, e.surface, e.client) for e in events if e.target == username]


def test_client_ip_is_the_address_audited_and_throttled(
    factory: Factory, ctx: ServiceContext, auth_server: AuthServer
) -> None:
    account = factory.customer(factory.distributor())
    auth_server.ask(account.username, "wrong-pass", client_ip="203.0.113.9")
    auth_server.ask(account.username, account.password, client_ip="2001:db8::1")
    auth_server.ask(account.username, account.password, client_ip="not an address")
    expected = [
        ("login.failed", "smtp", "203.0.113.9"),
        ("login.succeeded", "smtp", "2001:db8::1"),
        ("login.succeeded", "smtp", "127.0.0.1"),
    ]
    # Successes are written in a batch about once a second (identity/login_audit.py).

    def found() -> list[tuple[str, str, str]]:
        return [e for e in audit_clients(ctx, account.username) if e[1] == "smtp"]

    assert eventually(lambda: found() == expected), found()


def test_the_answer_fits_nginx_s_buffer(factory: Factory, auth_server: AuthServer) -> None:
    """nginx reads the auth_http answer into 1024 bytes."""
    account = factory.customer(factory.distributor(), username=f"{'x' * 52}@example.com")
    response = auth_server.ask(account.username, account.password)
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(
        k + b": " + v + b"\r\n" for k, v in response.headers.raw
    )
    assert len(head) < 1024
    assert response.content == b""
