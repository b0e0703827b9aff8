"""/v3/mail/send and a customer's allowed sender domains (docs/smtp.md, "Sender
domains"): a `from.email` outside the list is a 403 naming it, nothing sent and no
credit spent; an allowed one is sent (202)."""

from __future__ import annotations

from tests.api.mail_support import MailServer
from tests.api.test_mail_send_senders import bound
from tests.api.test_v3_mail_send import assert_accepted, body, send
from tests.api.v3_support import new_key, problem
from tests.mail.support import Sink
from tests.mail.test_smtp_credits import remaining, set_limit

REFUSED = problem("from.email", "The from address is not allowed for this account")


def test_a_from_outside_the_list_is_a_403_and_nothing_is_spent(
    mail_server: MailServer, sink: Sink
) -> None:
    factory = mail_server.factory
    distributor, customer = bound(factory, ["example.com"])
    set_limit(factory, distributor, customer, task="total", credits="2")
    key = new_key(mail_server, customer)
    refused = send(mail_server, key, body(**{"from": {"email": "jo@other.example"}}))
    assert (refused.status_code, refused.json()) == (403, REFUSED)
    assert sink.messages == []
    assert remaining(factory, distributor, customer) == 2
    assert_accepted(send(mail_server, key, body(**{"from": {"email": "jo@example.com"}})))
    assert [m.mail_from for m in sink.messages] == ["jo@example.com"]
    assert remaining(factory, distributor, customer) == 1
