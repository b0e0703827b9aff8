"""Who may call /v3 (docs/api.md, "The v3 API"): On-Behalf-Of for a distributor and its
own live customers, Bearer keys on the legacy mail.send, and bad keys in the one
throttle budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from gridreseller.api.legacy import manage
from tests.api.mail_support import MailServer
from tests.api.test_mail_send_access import _limited_customer, remaining
from tests.api.test_v3_mail_send import body
from tests.api.v3_support import FORBIDDEN, UNAUTHORIZED, basic, bearer, key_id, new_key, v3
from tests.factories import Distributor, form_pairs
from tests.mail.support import Sink
from tests.support import Clock, errors, message


@pytest.fixture
def distributor(mail_server: MailServer) -> Distributor:
    return mail_server.factory.distributor()


def on_behalf(server: MailServer, login: dict[str, str], username: str, **kwargs: Any) -> Any:
    return v3(server, "POST", "mail/send", login, body(), On_Behalf_Of=username, **kwargs)


def test_a_distributor_sends_as_its_own_customer(mail_server: MailServer, sink: Sink) -> None:
    distributor, customer = _limited_customer(mail_server, 5)
    for login in (basic(distributor), bearer(new_key(mail_server, distributor))):
        response = on_behalf(mail_server, login, customer.username.upper())
        assert response.status_code == 202, response.text
    assert remaining(mail_server, distributor, customer) == 3  # the customer's credits
    for delivered in sink.messages:
        assert f"(authenticated login {customer.username})" in delivered.content.decode()


def test_any_other_name_is_the_same_403(
    mail_server: MailServer, sink: Sink, distributor: Distributor
) -> None:
    factory = mail_server.factory
    other = factory.distributor()
    strangers = [
        factory.customer(other).username,  # another distributor's customer
        "nobody-by-this-name",
        factory.deleted_customer(distributor).username,
        other.username,  # a distributor
        factory.credential(factory.customer(distributor), api=1, email=1).username,
        distributor.username,  # itself
        "",
        "two words",
    ]
    login = basic(distributor)
    bodies = set()
    for name in strangers:
        response = on_behalf(mail_server, login, name)
        assert (response.status_code, response.json()) == (403, FORBIDDEN), name
        bodies.add(response.content)
    assert len(bodies) == 1
    assert sink.messages == []


def test_a_customer_cannot_act_for_anyone(
    mail_server: MailServer, sink: Sink, distributor: Distributor
) -> None:
    factory = mail_server.factory
    customer, sibling = factory.customer(distributor), factory.customer(distributor)
    response = on_behalf(mail_server, basic(customer), sibling.username)
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert sink.messages == []


def test_an_inactive_own_customer_may_not_send(
    mail_server: MailServer, sink: Sink, distributor: Distributor
) -> None:
    factory = mail_server.factory
    customer = factory.customer(distributor)
    factory.run(manage.MANAGE, distributor, method="disable", user=customer.username)
    response = on_behalf(mail_server, basic(distributor), customer.username)
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    assert sink.messages == []


def test_keys_on_behalf_of_a_customer_are_the_customer_s(
    mail_server: MailServer, distributor: Distributor
) -> None:
    customer = mail_server.factory.customer(distributor)
    acting = {"On-Behalf-Of": customer.username}
    made = v3(mail_server, "POST", "api_keys", {**basic(distributor), **acting}, {"name": "k"})
    assert made.status_code == 201
    made_id = made.json()["api_key_id"]
    listed = v3(mail_server, "GET", "api_keys", basic(customer)).json()["result"]
    assert listed == [{"name": "k", "api_key_id": made_id}]
    assert v3(mail_server, "GET", "api_keys", basic(distributor)).json() == {"result": []}
    # A distributor's key with fewer scopes keeps its limits when it acts for a customer.
    narrow = new_key(mail_server, distributor, scopes=["mail.send"])
    refused = v3(mail_server, "GET", "api_keys", {**bearer(narrow), **acting})
    assert (refused.status_code, refused.json()) == (403, FORBIDDEN)


def _legacy(server: MailServer, headers: dict[str, str], *pairs: tuple[str, str]) -> Any:
    content = urlencode(
        [
            *pairs,
            *form_pairs(
                to=["ann@example.com"], subject="Hi", text="x", **{"from": "s@example.com"}
            ),
        ]
    )
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return server.client.post("/api/mail.send.json", content=content, headers={**headers, **form})


def test_a_bearer_key_on_the_legacy_mail_send(
    mail_server: MailServer, sink: Sink, distributor: Distributor
) -> None:
    customer = mail_server.factory.customer(distributor)
    key = new_key(mail_server, customer)
    sent = _legacy(mail_server, bearer(key))
    assert (sent.status_code, message(sent)) == (200, "success")
    assert sink.messages[0].rcpt_tos == ["ann@example.com"]
    narrow = new_key(mail_server, customer, scopes=["scopes.read"])
    refused = _legacy(mail_server, bearer(narrow))
    assert (refused.status_code, errors(refused)) == (403, ["the key lacks the scope mail.send"])
    both = _legacy(mail_server, bearer(key), *customer.auth.items())
    assert both.status_code == 400
    v3(mail_server, "DELETE", f"api_keys/{key_id(key)}", basic(customer))
    gone = _legacy(mail_server, bearer(key))
    assert (gone.status_code, errors(gone)) == (401, ["Bad username / password"])
    assert len(sink.messages) == 1


@pytest.fixture
def strict_server(fresh_database_url: str, mail_sink: Sink) -> Iterator[MailServer]:
    """A server whose budget is 5 failures per account and 8 per network, on a database
    of its own (its locks must not reach the other tests' servers)."""
    running = MailServer(
        fresh_database_url,
        Clock(),
        relay=f"127.0.0.1:{mail_sink.port}",
        throttle_account_failures=5,
        throttle_network_failures=8,
    )
    yield running
    running.stop()


def test_bad_keys_count_in_the_account_s_budget(strict_server: MailServer) -> None:
    factory = strict_server.factory
    customer = factory.customer(factory.distributor())
    key = new_key(strict_server, customer)
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for _ in range(5):
        assert v3(strict_server, "GET", "scopes", bearer(wrong)).json() == UNAUTHORIZED
    for login in (bearer(key), basic(customer)):  # one budget: the key and the password
        throttled = v3(strict_server, "GET", "scopes", login)
        assert throttled.status_code == 429, throttled.text
        assert int(throttled.headers["retry-after"]) > 0
        assert throttled.json()["errors"][0]["field"] is None


def test_bad_keys_count_in_the_network_s_budget(strict_server: MailServer) -> None:
    factory = strict_server.factory
    fresh = factory.customer(factory.distributor())  # never logged in from this network
    for index in range(8):  # eight unknown ids: one failure each, eight for the network
        unknown = f"SG.{index:016d}.{'A' * 43}"
        assert v3(strict_server, "GET", "scopes", bearer(unknown)).status_code == 401
    throttled = v3(strict_server, "GET", "scopes", basic(fresh))
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
