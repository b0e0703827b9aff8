"""One throttle budget (docs/smtp.md): failures through SMTP lock the API login and the other
way round; a right password refused for lacking a right is no failure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from gridreseller.bootstrap import Container
from tests.factories import Account, Factory
from tests.mail.support import (
    MESSAGE,
    Sink,
    SmtpThread,
    auth_plain,
    connect,
    manage_customer,
)
from tests.support import ThreadServer, container_for

FAILURES = 3
THROTTLED = (454, b"4.7.0 Too many failed logins; try again later")


@dataclass
class Stack:
    container: Container
    factory: Factory
    smtp: SmtpThread


@pytest.fixture
def stack(fresh_database_url: str, sink: Sink) -> Iterator[Stack]:
    """API and SMTP on a database of their own, locking after FAILURES failures."""
    container = container_for(
        fresh_database_url,
        throttle_account_failures=FAILURES,
        throttle_network_failures=1000,
    )
    api = ThreadServer(container)
    api.start()
    smtp = SmtpThread(container, sink.port)
    smtp.start()
    with httpx.Client(base_url=api.url, timeout=30) as client:
        yield Stack(container, Factory(container.services, client), smtp)
    smtp.stop()
    api.stop()
    container.close()


def api_status(stack: Stack, account: Account) -> int:
    return stack.factory.call("credentials/get", "json", account).status_code


def smtp_auth(stack: Stack, username: str, password: str) -> tuple[int, bytes]:
    with connect(stack.smtp.port) as client:
        return auth_plain(client, username, password)


def test_smtp_failures_lock_the_api_login(stack: Stack) -> None:
    account = stack.factory.customer(stack.factory.distributor())
    for _ in range(FAILURES):
        assert smtp_auth(stack, account.username, "wrong-pass")[0] == 535
    assert api_status(stack, account) == 429
    assert smtp_auth(stack, account.username, account.password) == THROTTLED


def test_api_failures_lock_the_smtp_login(stack: Stack) -> None:
    account = stack.factory.customer(stack.factory.distributor())
    for _ in range(FAILURES):
        assert api_status(stack, Account(account.username, "wrong-pass")) == 401
    assert smtp_auth(stack, account.username, account.password) == THROTTLED


def test_a_throttled_session_sends_nothing(stack: Stack, delivered: Sink) -> None:
    account = stack.factory.customer(stack.factory.distributor())
    for _ in range(FAILURES):
        smtp_auth(stack, account.username, "wrong-pass")
    with connect(stack.smtp.port) as client:
        assert auth_plain(client, account.username, account.password) == THROTTLED
        assert client.docmd("MAIL", "FROM:<s@example.com>")[0] == 530
    assert delivered.messages == []


def test_a_refused_right_password_is_not_a_failure(stack: Stack, delivered: Sink) -> None:
    owner = stack.factory.distributor()
    account = stack.factory.customer(owner)
    manage_customer(stack.container.services, owner, method="disable", user=account.username)
    for _ in range(FAILURES + 2):
        assert smtp_auth(stack, account.username, account.password)[0:1] == (535,)
    manage_customer(stack.container.services, owner, method="enable", user=account.username)
    with connect(stack.smtp.port) as client:
        assert auth_plain(client, account.username, account.password)[0] == 235
        assert client.sendmail("s@example.com", ["r@example.com"], MESSAGE) == {}
    assert len(delivered.messages) == 1
