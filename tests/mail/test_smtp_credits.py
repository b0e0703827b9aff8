"""Sending credits at the embedded server (docs/api.md, sending credits): one credit per
recipient, a 4xx at
RCPT TO when none is left, credits back for what was not relayed, and never more
sent than the credits allow, however many sessions and processes race for them."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridreseller.api.legacy import manage
from gridreseller.bootstrap import Container
from gridreseller.domain.models import CreditsView
from gridreseller.services import operator
from tests.factories import Account, Distributor, Factory
from tests.mail.support import MESSAGE, REJECTED, Sink, SmtpThread, signed_in
from tests.mail.test_smtp_command import port_of, smtp_process
from tests.support import container_for, eventually

NO_CREDITS = "452 4.7.1"


def set_limit(factory: Factory, distributor: Distributor, customer: Account, **params: str) -> None:
    factory.run(manage.MANAGE, distributor, method="limit", user=customer.username, **params)


def remaining(factory: Factory, distributor: Distributor, customer: Account) -> int:
    shown = factory.run(
        manage.MANAGE, distributor, method="limit", task="retrieve", user=customer.username
    )
    assert isinstance(shown, CreditsView) and shown.limit is not None
    return shown.limit.remaining


def rcpt(client: smtplib.SMTP, address: str) -> str:
    code, text = client.rcpt(address)
    return f"{code} {text.decode()}"


def test_each_recipient_costs_one_credit_and_none_left_is_a_4xx(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="3")
    with signed_in(smtp.port, customer) as client:
        client.sendmail("from@example.com", ["a@example.com", "b@example.com"], MESSAGE)
        assert remaining(factory, distributor, customer) == 1
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "c@example.com").startswith("250 ")
        assert rcpt(client, "d@example.com").startswith(NO_CREDITS)
        assert client.data(MESSAGE)[0] == 250  # sent to the recipient it was left
    assert remaining(factory, distributor, customer) == 0
    assert [m.rcpt_tos for m in delivered.messages] == [
        ["a@example.com", "b@example.com"],
        ["c@example.com"],
    ]


def test_a_customers_credentials_share_its_credits(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    sender = factory.credential(customer, email=1)
    set_limit(factory, distributor, customer, task="total", credits="1")
    with signed_in(smtp.port, sender) as client:
        client.sendmail("from@example.com", ["a@example.com"], MESSAGE)
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "b@example.com").startswith(NO_CREDITS)
    assert remaining(factory, distributor, customer) == 0


def test_distributors_have_no_credits_to_spend(factory: Factory, smtp: SmtpThread) -> None:
    distributor = factory.distributor()
    with signed_in(smtp.port, distributor) as client:
        client.sendmail("from@example.com", [f"r{n}@example.com" for n in range(5)], MESSAGE)


def test_what_is_not_relayed_gives_its_credits_back(
    factory: Factory, smtp: SmtpThread, delivered: Sink
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="5")
    with signed_in(smtp.port, customer) as client:
        # The upstream refuses one recipient: nothing is relayed, every credit comes back.
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "a@example.com").startswith("250 ")
        assert rcpt(client, REJECTED).startswith("250 ")
        assert client.data(MESSAGE)[0] == 550
        assert remaining(factory, distributor, customer) == 5
        # RSET before DATA: the recipients' credits come back too.
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "b@example.com").startswith("250 ")
        assert remaining(factory, distributor, customer) == 4
        client.rset()
        assert eventually(lambda: remaining(factory, distributor, customer) == 5)
    assert delivered.messages == []


def test_an_upstream_that_is_down_gives_the_credits_back(
    factory: Factory, container: Container
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="2")
    nowhere = SmtpThread(container, relay_port=1)  # nothing listens on port 1
    nowhere.start()
    try:
        with signed_in(nowhere.port, customer) as client:
            assert client.mail("from@example.com")[0] == 250
            assert rcpt(client, "a@example.com").startswith("250 ")
            assert client.data(MESSAGE)[0] == 451
    finally:
        nowhere.stop()
    assert remaining(factory, distributor, customer) == 2


# The race: several sessions over two `gridreseller smtp` processes on one database ----

SESSIONS = 8
MESSAGES = 4
RECIPIENTS = 3  # per message: 96 attempts in all
CREDITS = 37


@pytest.fixture
def two_servers(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[list[int], Sink, str]]:
    container = container_for(fresh_database_url)
    ctx = container.services
    operator.create_distributor(ctx, "racer", "racer-pass", "r@example.com")
    operator.create_package(ctx, "racer", operator.PackageSpec(name="basic"))
    container.close()
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    sink = Sink()
    sink.start()
    try:
        with (
            smtp_process(fresh_database_url, sink.port, tmp_path / "a") as (_a, _la, text_a),
            smtp_process(fresh_database_url, sink.port, tmp_path / "b") as (_b, _lb, text_b),
        ):
            yield [port_of(text_a), port_of(text_b)], sink, fresh_database_url
    finally:
        sink.stop()


@pytest.mark.slow
def test_racing_sessions_in_two_processes_never_overspend(
    two_servers: tuple[list[int], Sink, str],
) -> None:
    ports, sink, database_url = two_servers
    container = container_for(database_url)
    factory = Factory(container.services)
    distributor = Distributor("racer", "racer-pass", "basic")
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits=str(CREDITS))
    accepted: list[int] = []
    errors: list[BaseException] = []

    def session(n: int) -> None:
        try:
            with signed_in(ports[n % 2], customer) as client:
                for m in range(MESSAGES):
                    assert client.mail("from@example.com")[0] == 250
                    taken = [
                        r
                        for r in (f"s{n}m{m}r{k}@example.com" for k in range(RECIPIENTS))
                        if client.rcpt(r)[0] == 250
                    ]
                    if taken:
                        assert client.data(MESSAGE)[0] == 250
                        accepted.append(len(taken))
                    else:
                        client.rset()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    relayed = sum(len(m.rcpt_tos) for m in sink.messages)
    attempts = SESSIONS * MESSAGES * RECIPIENTS
    print(f"race: {SESSIONS} sessions, {attempts} attempts, {CREDITS} credits, {relayed} accepted")
    assert sum(accepted) == relayed == CREDITS  # not one more, and none lost
    assert remaining(factory, distributor, customer) == 0
    container.close()
