"""/api/mail.send.{json,xml} (docs/api.md): who may send, the relay's answers (a refused
recipient, an upstream 4xx or down, no relay), credits all or none, throttling."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx

from gridreseller.api.legacy import customers, manage
from gridreseller.services import operator
from tests.api.mail_support import (
    MailServer,
    assert_sent,
    mail,
    send,
)
from tests.factories import Account, Distributor, Factory, form_pairs
from tests.mail.support import DEFERRED, REJECTED, Sink
from tests.support import Clock, errors

BAD_LOGIN = "Bad username / password"
BREAKS = "line breaks or control characters"


# Who may send (the mail-over-HTTP column of docs/api.md's access table) ----------------------


def _credential(factory: Factory, owner: Account, **bits: int) -> Account:
    return factory.credential(owner, **{"email": 0, "web": 0, "api": 0, **bits})


def test_who_may_send(mail_server: MailServer, sink: Sink, fmt: str) -> None:
    factory = mail_server.factory
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    allowed = {
        "distributor": distributor,
        "customer": customer,
        "distributor credential api+email": _credential(factory, distributor, api=1, email=1),
        "customer credential api+email": _credential(factory, customer, api=1, email=1),
    }
    refused = {
        "distributor credential api only": (
            _credential(factory, distributor, api=1, web=1), "api_user lacks the email permission"
        ),
        "distributor credential email only": (
            _credential(factory, distributor, email=1), "api_user lacks the api permission"
        ),
        "customer credential api only": (
            _credential(factory, customer, api=1), "api_user lacks the email permission"
        ),
        "customer credential email only": (
            _credential(factory, customer, email=1), "api_user lacks the api permission"
        ),
    }  # fmt: skip
    for who, account in allowed.items():
        assert send(mail_server, fmt, account, **mail()).status_code == 200, who
    for who, (account, words) in refused.items():
        response = send(mail_server, fmt, account, **mail())
        assert (response.status_code, errors(response)) == (403, [words]), who
    assert len(sink.messages) == len(allowed)


def test_an_inactive_customer_and_its_credentials_may_not_send(
    mail_server: MailServer, sink: Sink, fmt: str
) -> None:
    factory = mail_server.factory
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    credential = _credential(factory, customer, api=1, email=1)
    factory.run(manage.MANAGE, distributor, method="disable", user=customer.username)
    for account in (customer, credential):
        response = send(mail_server, fmt, account, **mail())
        assert (response.status_code, errors(response)) == (403, ["api_user may not send mail"])
    assert sink.messages == []


def test_a_disabled_distributor_and_its_credentials_may_not_send(
    mail_server: MailServer, sink: Sink, fmt: str
) -> None:
    factory = mail_server.factory
    distributor = factory.distributor()
    credential = _credential(factory, distributor, api=1, email=1)
    customer = factory.customer(distributor)
    operator.set_distributor_enabled(factory.ctx, distributor.username, False)
    for account in (distributor, credential):
        response = send(mail_server, fmt, account, **mail())
        words = ["api_user's distributor account is disabled"]
        assert (response.status_code, errors(response)) == (403, words)
    assert send(mail_server, fmt, customer, **mail()).status_code == 200  # its customers send
    assert len(sink.messages) == 1


def test_bad_logins_are_one_identical_401(mail_server: MailServer, sink: Sink, fmt: str) -> None:
    factory = mail_server.factory
    distributor = factory.distributor()
    deleted = factory.deleted_customer(distributor)
    deleted_credential_owner = factory.customer(distributor)
    credential = _credential(factory, deleted_credential_owner, api=1, email=1)
    factory.run(customers.DELETE, distributor, user=deleted_credential_owner.username)
    attempts = {
        "unknown": Account("nobody-at-all", "whatever-pass"),
        "wrong password": Account(distributor.username, "wrong-password"),
        "deleted customer": deleted,
        "deleted customer's credential": credential,
        "no login": Account("", ""),
    }
    bodies = set()
    for who, account in attempts.items():
        response = send(mail_server, fmt, account, **mail())
        assert response.status_code == 401, who
        assert errors(response) == [BAD_LOGIN], who
        bodies.add(response.content)
    assert len(bodies) == 1
    assert sink.messages == []


def test_bearer_tokens(mail_server: MailServer, sink: Sink, sender: Account, fmt: str) -> None:
    """A bearer token that is no key is a failed login; with api_user, a 400."""
    bearer = {"Authorization": "Bearer SG.not-a-key.yet"}
    body = urlencode(form_pairs(**mail()))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    alone = mail_server.client.post(
        f"/api/mail.send.{fmt}", content=body, headers={**bearer, **form}
    )
    assert (alone.status_code, errors(alone)) == (401, [BAD_LOGIN])
    both = mail_server.client.post(
        f"/api/mail.send.{fmt}",
        content=urlencode([*sender.auth.items()]) + "&" + body,
        headers={**bearer, **form},
    )
    assert both.status_code == 400
    assert errors(both) == [
        "give either api_user and api_key or an Authorization: Bearer API key, not both"
    ]
    assert sink.messages == []


# The relay's answers ---------------------------------------------------------------------------


def test_a_recipient_refused_with_5xx_is_a_400_naming_it(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    response = send(mail_server, fmt, sender, **mail(to=["ok@example.com", REJECTED]))
    assert response.status_code == 400
    [problem] = errors(response)
    assert problem.startswith(f"to {REJECTED} was refused by the mail relay (550")
    assert sink.messages == []


def test_copies_sent_before_a_refusal_are_named(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    smtpapi = json.dumps({"to": ["first@example.com", REJECTED]})
    response = send(mail_server, fmt, sender, **mail(**{"x-smtpapi": smtpapi}))
    assert response.status_code == 400
    [problem] = errors(response)
    assert problem.startswith(f"x-smtpapi to {REJECTED} was refused by the mail relay (550")
    assert problem.endswith("; sent before it: first@example.com")
    assert [m.rcpt_tos for m in sink.messages] == [["first@example.com"]]


def test_an_upstream_4xx_is_a_503_with_retry_after(
    mail_server: MailServer, sink: Sink, sender: Account, fmt: str
) -> None:
    response = send(mail_server, fmt, sender, **mail(to=[DEFERRED]))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    [problem] = errors(response)
    assert problem.startswith("the mail relay cannot take the message now (451")
    assert sink.messages == []


def test_an_upstream_that_is_down_is_a_503(down_mail_server: MailServer, fmt: str) -> None:
    factory = down_mail_server.factory
    customer = factory.customer(factory.distributor())
    response = send(down_mail_server, fmt, customer, **mail())
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert errors(response) == ["the mail relay cannot take the message now; retry later"]


def test_no_relay_configured_is_a_503(client: httpx.Client, factory: Factory, fmt: str) -> None:
    """The session's server has no GRIDRESELLER_RELAY."""
    customer = factory.customer(factory.distributor())
    response = factory.call("mail.send", fmt, customer, **mail())
    assert response.status_code == 503
    assert errors(response) == ["sending is not configured (GRIDRESELLER_RELAY is not set)"]


# Credits: all or none, given back for what is not relayed ----------------------------------------


def _limited_customer(server: MailServer, credits: int) -> tuple[Distributor, Account]:
    factory = server.factory
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    factory.run(
        manage.MANAGE, distributor, method="limit", task="total", user=customer.username,
        credits=str(credits),
    )  # fmt: skip
    return distributor, customer


def remaining(server: MailServer, distributor: Distributor, customer: Account) -> int:
    shown = server.factory.run(
        manage.MANAGE, distributor, method="limit", task="retrieve", user=customer.username
    )
    return int(getattr(shown, "limit").remaining)  # noqa: B009 - CreditsView's limit


def test_credits_all_or_none(mail_server: MailServer, sink: Sink, fmt: str) -> None:
    distributor, customer = _limited_customer(mail_server, 3)
    two = mail(to=["a@example.com"], cc=["b@example.com"])
    assert_sent(send(mail_server, fmt, customer, **two))
    assert remaining(mail_server, distributor, customer) == 1
    response = send(mail_server, fmt, customer, **two)
    assert response.status_code == 403
    assert errors(response) == ["not enough sending credits left for this account"]
    assert remaining(mail_server, distributor, customer) == 1
    assert len(sink.messages) == 1
    credential = _credential(mail_server.factory, customer, api=1, email=1)
    assert_sent(send(mail_server, fmt, credential, **mail()))  # credentials share them
    assert remaining(mail_server, distributor, customer) == 0


def test_credits_of_what_is_not_relayed_come_back(
    mail_server: MailServer, sink: Sink, fmt: str
) -> None:
    distributor, customer = _limited_customer(mail_server, 5)
    smtpapi = json.dumps({"to": ["first@example.com", REJECTED, "third@example.com"]})
    response = send(mail_server, fmt, customer, **mail(**{"x-smtpapi": smtpapi}))
    assert response.status_code == 400
    assert remaining(mail_server, distributor, customer) == 4  # the first copy's is kept
    assert send(mail_server, fmt, customer, **mail(to=[DEFERRED])).status_code == 503
    assert remaining(mail_server, distributor, customer) == 4


def test_failed_logins_are_throttled(database_url: str, clock: Clock, sink: Sink) -> None:
    """429 with Retry-After, counted in the one budget every login surface shares."""
    server = MailServer(
        database_url, clock, relay=f"127.0.0.1:{sink.port}", throttle_account_failures=2
    )
    try:
        customer = server.factory.customer(server.factory.distributor())
        wrong = Account(customer.username, "not-the-password")
        statuses = [send(server, "json", wrong, **mail()).status_code for _ in range(3)]
        assert statuses == [401, 401, 429]
        throttled = send(server, "xml", customer, **mail())  # the right password waits too
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) > 0
    finally:
        server.stop()
    assert sink.messages == []
