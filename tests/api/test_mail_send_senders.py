"""mail.send and a customer's allowed sender domains (docs/api.md, "mail.send"): a
`from` outside the list is a 403 naming `from`, nothing sent and no credit spent; an
allowed one is sent; the customer's credentials are bound by the same list."""

from __future__ import annotations

import httpx

from tests.api.mail_support import MailServer, mail, send
from tests.factories import Account, Distributor, Factory
from tests.mail.support import Sink
from tests.mail.test_smtp_credits import remaining, set_limit
from tests.support import errors, message

REFUSED = "from address not allowed for this account"


def assert_sent(response: httpx.Response) -> None:
    assert (response.status_code, message(response)) == (200, "success"), response.text


def bound(factory: Factory, domains: list[str]) -> tuple[Distributor, Account]:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    factory.call(
        "distributor.manage", "json", distributor, method="profile",
        task="setSenderDomains", user=customer.username, sender_domains=domains,
    )  # fmt: skip
    return distributor, customer


def test_a_from_outside_the_list_is_a_403_naming_from_and_nothing_is_spent(
    mail_server: MailServer, sink: Sink, fmt: str
) -> None:
    factory = mail_server.factory
    distributor, customer = bound(factory, ["example.com", "*.mail.example.org"])
    set_limit(factory, distributor, customer, task="total", credits="3")
    for sender in ("jo@other.example", "jo@sub.example.com", "jo@mail.example.org"):
        response = send(mail_server, fmt, customer, **mail(**{"from": sender}))
        assert (response.status_code, errors(response)) == (403, [REFUSED]), sender
    assert sink.messages == []
    assert remaining(factory, distributor, customer) == 3
    assert_sent(send(mail_server, fmt, customer, **mail(**{"from": "Jo@EXAMPLE.com"})))
    assert_sent(send(mail_server, fmt, customer, **mail(**{"from": "jo@a.mail.example.org"})))
    assert [m.mail_from for m in sink.messages] == ["Jo@EXAMPLE.com", "jo@a.mail.example.org"]
    assert remaining(factory, distributor, customer) == 1


def test_a_customers_credential_is_bound_by_its_list_and_distributors_are_not(
    mail_server: MailServer, sink: Sink, fmt: str
) -> None:
    factory = mail_server.factory
    distributor, customer = bound(factory, ["example.com"])
    credential = factory.credential(customer, api=1, email=1)
    response = send(mail_server, fmt, credential, **mail(**{"from": "jo@other.example"}))
    assert (response.status_code, errors(response)) == (403, [REFUSED])
    assert_sent(send(mail_server, fmt, credential, **mail(**{"from": "jo@example.com"})))
    assert_sent(send(mail_server, fmt, distributor, **mail(**{"from": "jo@other.example"})))
    assert len(sink.messages) == 2
