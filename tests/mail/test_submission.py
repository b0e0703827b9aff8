"""The submission service both surfaces send through (sending/submission.py), on the
real database: credits reserved all or none and never overspent by racing callers,
given back only to the limit they were taken from, kept for what was sent; each
sent message logged and audited."""

from __future__ import annotations

import asyncio
import logging
import mailbox
import threading
from pathlib import Path

import pytest

from gridreseller.bootstrap import Container
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.models import Surface
from gridreseller.sending.submission import NoCredits, Reservation, Submission
from gridreseller.sending.targets import MaildirTarget, UpstreamTarget
from gridreseller.services import audit
from tests.factories import Account, Distributor, Factory, run_coroutine
from tests.mail.support import MESSAGE
from tests.mail.test_smtp_credits import remaining, set_limit
from tests.support import Clock, container_for, free_port


def principal_of(container: Container, account: Account) -> Principal:
    login = container.identity.authenticate(
        account.username, account.password, "192.0.2.9", Purpose.SEND_MAIL
    )
    return run_coroutine(login)


def limited_customer(factory: Factory, credits: int) -> tuple[Distributor, Account]:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits=str(credits))
    return distributor, customer


@pytest.fixture
def maildir_submission(container: Container, tmp_path: Path) -> Submission:
    return container.submission_for(MaildirTarget(tmp_path / "box"), "mx.test")


def test_a_reservation_is_all_or_none(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    distributor, customer = limited_customer(factory, 5)
    principal = principal_of(container, customer)
    held = run_coroutine(maildir_submission.reserve(principal, 3))
    assert held.held == 3
    with pytest.raises(NoCredits):
        run_coroutine(maildir_submission.reserve(principal, 3, held))
    assert held.held == 3
    assert remaining(factory, distributor, customer) == 2
    run_coroutine(maildir_submission.release(held))
    assert remaining(factory, distributor, customer) == 5
    run_coroutine(maildir_submission.release(held))  # twice: nothing more comes back
    assert remaining(factory, distributor, customer) == 5


def test_a_distributor_and_an_unlimited_customer_hold_nothing(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    distributor = factory.distributor()
    unlimited = factory.customer(distributor)
    for account in (distributor, unlimited):
        reservation = run_coroutine(
            maildir_submission.reserve(principal_of(container, account), 1000)
        )
        assert reservation.held == 0


@pytest.mark.parametrize("anew", [["total"], ["none", "total"], ["recurring"]])
def test_credits_taken_under_an_earlier_limit_are_not_given_back(
    factory: Factory, container: Container, maildir_submission: Submission, anew: list[str]
) -> None:
    distributor, customer = limited_customer(factory, 3)
    held = run_coroutine(maildir_submission.reserve(principal_of(container, customer), 3))
    for task in anew:
        credits = {} if task == "none" else {"credits": "5"}
        if task == "recurring":
            credits["period"] = "daily"
        set_limit(factory, distributor, customer, task=task, **credits)
    run_coroutine(maildir_submission.release(held))
    assert remaining(factory, distributor, customer) == 5


def test_credits_taken_before_a_periodic_reset_are_not_given_back_after_it(
    factory: Factory, container: Container, maildir_submission: Submission, clock: Clock
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="recurring", credits="3", period="daily")
    principal = principal_of(container, customer)
    before = run_coroutine(maildir_submission.reserve(principal, 3))
    clock.advance(24 * 3600)
    after = run_coroutine(maildir_submission.reserve(principal, 1))  # writes the reset
    run_coroutine(maildir_submission.release(before))
    assert remaining(factory, distributor, customer) == 2
    run_coroutine(maildir_submission.release(after))
    assert remaining(factory, distributor, customer) == 3


def test_increment_keeps_the_limit_so_held_credits_still_come_back(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    distributor, customer = limited_customer(factory, 3)
    held = run_coroutine(maildir_submission.reserve(principal_of(container, customer), 2))
    set_limit(factory, distributor, customer, task="increment", credits="4")
    run_coroutine(maildir_submission.release(held))
    assert remaining(factory, distributor, customer) == 7


def test_a_sent_message_keeps_its_credits_and_is_logged_and_audited(
    factory: Factory,
    container: Container,
    maildir_submission: Submission,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="gridreseller.mail")
    distributor, customer = limited_customer(factory, 3)
    principal = principal_of(container, customer)

    async def send() -> str:
        held = await maildir_submission.reserve(principal, 2)
        delivered = await maildir_submission.deliver(
            principal,
            held,
            sender="from@example.com",
            recipients=["a@example.com", "b@example.com"],
            message=MESSAGE,
            options=[],
            helo=None,
            client=principal.client,
            surface=Surface.API,
            details={"category": ["news"]},
        )
        assert delivered.sent and held.held == 0
        await container.flush_audit()
        return delivered.message_id

    message_id = run_coroutine(send())
    assert remaining(factory, distributor, customer) == 1
    (stored,) = list(mailbox.Maildir(tmp_path / "box", create=False))
    assert f"with HTTP id {message_id}" in " ".join(stored["Received"].split())
    (line,) = [r.getMessage() for r in caplog.records if r.name == "gridreseller.mail"]
    assert line.startswith(f"message {message_id} relayed login=")
    assert "recipients=2" in line and "upstream=250" in line
    (event,) = [e for e in audit.events(container.services, None, None) if e.target == message_id]
    assert (event.action, event.surface, event.actor) == ("mail.sent", "api", customer.username)
    assert event.details == {"recipients": 2, "category": ["news"]}


def test_what_the_upstream_did_not_take_gives_its_credits_back(
    factory: Factory, container: Container
) -> None:
    distributor, customer = limited_customer(factory, 3)
    principal = principal_of(container, customer)
    nowhere = container.submission_for(UpstreamTarget("127.0.0.1", free_port()), "mx.test")

    async def send() -> bool:
        held = await nowhere.reserve(principal, 2)
        delivered = await nowhere.deliver(
            principal,
            held,
            sender="from@example.com",
            recipients=["a@example.com", "b@example.com"],
            message=MESSAGE,
            options=[],
            helo=None,
            client=principal.client,
            surface=Surface.API,
        )
        await nowhere.close()
        # The refusal's count is written now, on this loop: a batch left to its timer
        # would run when a later test runs this loop again, and stop half-way with it.
        await container.flush_audit()
        return delivered.sent

    assert run_coroutine(send()) is False
    assert remaining(factory, distributor, customer) == 3


# Racing callers, in two "processes" (two containers: two engines, two writers) ----------

CALLERS = 6
CALLS = 5
PER_CALL = 3
CREDITS = 40


@pytest.mark.slow
def test_racing_reservations_never_overspend(fresh_database_url: str, tmp_path: Path) -> None:
    containers = [container_for(fresh_database_url) for _ in range(2)]
    factory = Factory(containers[0].services)
    distributor, customer = limited_customer(factory, CREDITS)
    reserved: list[int] = []
    errors: list[BaseException] = []

    submissions = [c.submission_for(MaildirTarget(tmp_path / "box"), "mx.test") for c in containers]

    def caller(n: int) -> None:
        container, submission = containers[n % 2], submissions[n % 2]

        async def calls() -> None:
            principal = await container.identity.authenticate(
                customer.username, customer.password, "192.0.2.9", Purpose.SEND_MAIL
            )
            for _ in range(CALLS):
                try:
                    held = await submission.reserve(principal, PER_CALL, Reservation())
                except NoCredits:
                    continue
                reserved.append(held.held)

        try:
            asyncio.run(calls())
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            container.uow.release_thread_connections()

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(reserved) == CREDITS - CREDITS % PER_CALL  # 13 calls of 3: 39 of 40
    assert remaining(factory, distributor, customer) == CREDITS % PER_CALL
    for container in containers:
        container.close()
