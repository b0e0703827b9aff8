"""Sending activity counted as mail is sent (services/activity.py), on the real
database: messages and recipients the upstream accepted, credits used (less those
given back, on the day they were taken), messages the upstream refused, recipients
refused for credits; a distributor's whole account and its tenancy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from gridreseller.bootstrap import Container
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.activity import Counts
from gridreseller.domain.errors import Invalid, NotFound
from gridreseller.domain.models import Surface
from gridreseller.sending.submission import NoCredits, SenderNotAllowed, Submission
from gridreseller.sending.targets import MaildirTarget, UpstreamTarget
from gridreseller.services import activity
from gridreseller.services.activity import Activity, ActivityQuery
from tests.factories import Account, Factory, run_coroutine
from tests.mail.support import MESSAGE
from tests.mail.test_smtp_credits import set_limit
from tests.mail.test_smtp_senders import bind, message
from tests.mail.test_submission import limited_customer, principal_of
from tests.support import Clock, free_port


@pytest.fixture
def maildir_submission(container: Container, tmp_path: Path) -> Submission:
    return container.submission_for(MaildirTarget(tmp_path / "box"), "mx.test")


LAST_30_DAYS = ActivityQuery()


@pytest.fixture(autouse=True)
def _batches_written_on_this_loop(container: Container) -> Iterator[None]:
    """SMTP logins (principal_of) are batched on this thread's loop, which stops between
    calls: written before the test ends, never left to a timer that fires in the next
    test's call and stops half-way with it."""
    yield
    run_coroutine(container.successes.flush())


def figures(
    factory: Factory,
    account: Account,
    query: ActivityQuery = LAST_30_DAYS,
    purpose: Purpose = Purpose.API_CREDENTIALS,
) -> Activity:
    """The figures `account` sees (admitted for an API purpose: no login batched)."""
    actor = factory.actor(account, purpose)
    return run_coroutine(activity.of_actor(factory.ctx, actor, query))


def today(factory: Factory, account: Account, user: str = "") -> Counts:
    return figures(factory, account, ActivityQuery(user)).days[-1].total


def send(
    container: Container, submission: Submission, principal: Principal, recipients: int
) -> bool:
    async def go() -> bool:
        held = await submission.reserve(principal, recipients)
        delivered = await submission.deliver(
            principal,
            held,
            sender="from@example.com",
            recipients=[f"r{n}@example.com" for n in range(recipients)],
            message=MESSAGE,
            options=[],
            helo=None,
            client=principal.client,
            surface=Surface.SMTP,
        )
        await container.flush_audit()
        return delivered.sent

    return run_coroutine(go())


def test_a_sent_message_counts_its_recipients_and_credits(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    distributor, customer = limited_customer(factory, 5)
    assert send(container, maildir_submission, principal_of(container, customer), 2)
    expected = Counts(messages=1, recipients=2, credits_used=2)
    assert today(factory, customer) == expected
    assert today(factory, distributor) == expected  # the whole distributor
    assert today(factory, distributor, user=customer.username) == expected
    (day,) = [d for d in figures(factory, customer).days if d.total.messages]
    assert set(day.by_surface) == {"smtp"}


def test_an_unlimited_customer_and_the_distributor_itself_use_no_credits(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    assert send(container, maildir_submission, principal_of(container, customer), 3)
    assert send(container, maildir_submission, principal_of(container, distributor), 1)
    assert today(factory, customer) == Counts(messages=1, recipients=3)
    assert today(factory, distributor) == Counts(messages=2, recipients=4)


def test_credits_released_unsent_are_not_used(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    _distributor, customer = limited_customer(factory, 5)
    principal = principal_of(container, customer)
    held = run_coroutine(maildir_submission.reserve(principal, 3))
    assert today(factory, customer).credits_used == 3  # in the transaction that took them
    run_coroutine(maildir_submission.release(held))
    assert today(factory, customer) == Counts()


def test_recipients_refused_for_credits_are_counted(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    _distributor, customer = limited_customer(factory, 1)
    with pytest.raises(NoCredits):
        run_coroutine(maildir_submission.reserve(principal_of(container, customer), 2))
    assert today(factory, customer) == Counts(recipients_refused=2)


def test_a_message_the_upstream_did_not_take_is_refused_and_its_credits_back(
    factory: Factory, container: Container
) -> None:
    _distributor, customer = limited_customer(factory, 3)
    nowhere = container.submission_for(UpstreamTarget("127.0.0.1", free_port()), "mx.test")
    assert not send(container, nowhere, principal_of(container, customer), 2)
    run_coroutine(nowhere.close())
    assert today(factory, customer) == Counts(messages_refused=1)


def test_a_message_refused_for_its_sender_is_counted_as_refused(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    """At MAIL FROM (the envelope's sender) and at DATA (a From: header), as every way
    in judges it; a sender inside the list, and an unbound distributor, count nothing."""
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    bind(factory, distributor, customer, ["example.com"])
    principal = principal_of(container, customer)
    with pytest.raises(SenderNotAllowed):
        run_coroutine(maildir_submission.check_sender(principal, "jo@other.example"))
    allowed = run_coroutine(maildir_submission.check_sender(principal, "jo@example.com"))
    outside = message("jo@other.example")
    check = maildir_submission.check_message_sender(principal, "jo@example.com", outside, allowed)
    with pytest.raises(SenderNotAllowed):
        run_coroutine(check)
    own = principal_of(container, distributor)
    run_coroutine(maildir_submission.check_sender(own, "jo@other.example"))
    run_coroutine(container.flush_audit())
    assert today(factory, customer) == Counts(messages_refused=2)
    assert today(factory, distributor) == Counts(messages_refused=2)  # the customer's only


def test_credits_come_back_to_the_day_they_were_taken_on(
    factory: Factory, container: Container, maildir_submission: Submission, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 1, 23, 59, 0)
    _distributor, customer = limited_customer(factory, 5)
    principal = principal_of(container, customer)
    held = run_coroutine(maildir_submission.reserve(principal, 2))
    more = run_coroutine(maildir_submission.reserve(principal, 1))
    clock.advance(120)  # past midnight
    run_coroutine(maildir_submission.release(held))
    found = figures(factory, customer, ActivityQuery(since="2026-03-01", until="2026-03-02"))
    assert [(d.day, d.total.credits_used) for d in found.days] == [
        (date(2026, 3, 1), 1),
        (date(2026, 3, 2), 0),
    ]
    run_coroutine(maildir_submission.release(more))


def test_a_distributor_sees_only_its_own_customers(
    factory: Factory, container: Container, maildir_submission: Submission
) -> None:
    distributor, customer = limited_customer(factory, 5)
    other = factory.distributor()
    assert send(container, maildir_submission, principal_of(container, customer), 1)
    with pytest.raises(NotFound):
        figures(factory, other, ActivityQuery(user=customer.username))
    assert today(factory, other) == Counts()
    with pytest.raises(NotFound):  # a customer has no customers, not even itself by name
        figures(factory, customer, ActivityQuery(user=customer.username))
    credential = factory.credential(distributor, web=1, api=1)
    on_api = Purpose.API_DISTRIBUTOR
    assert (
        figures(factory, credential, purpose=on_api).days[-1].total.messages == 1
    )  # its account's
    assert figures(factory, credential, purpose=on_api).account == distributor.username


def test_the_days_asked_for_are_checked(factory: Factory) -> None:
    distributor = factory.distributor()
    with pytest.raises(Invalid) as refused:
        figures(factory, distributor, ActivityQuery(since="yesterday", until="2026-13-01"))
    assert [p.field for p in refused.value.problems] == ["until", "since"]
    with pytest.raises(Invalid, match="since must not be after until"):
        figures(factory, distributor, ActivityQuery(since="2026-03-02", until="2026-03-01"))
    with pytest.raises(Invalid, match="at most 366 days"):
        figures(factory, distributor, ActivityQuery(since="2020-01-01", until="2026-03-01"))
    found = figures(factory, distributor, ActivityQuery(until="2026-03-01"))
    assert (found.span.first, len(found.days)) == (date(2026, 1, 31), 30)


def test_a_periodic_reset_does_not_undo_the_credits_used(
    factory: Factory, container: Container, maildir_submission: Submission, clock: Clock
) -> None:
    clock.now = datetime(2026, 4, 1, 12, 0, 0)
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="recurring", credits="2", period="daily")
    principal = principal_of(container, customer)
    assert send(container, maildir_submission, principal, 2)
    clock.advance(24 * 3600)
    assert send(container, maildir_submission, principal, 1)
    found = figures(factory, customer, ActivityQuery(since="2026-04-01", until="2026-04-02"))
    assert [d.total.credits_used for d in found.days] == [2, 1]
    assert found.total == Counts(messages=2, recipients=3, credits_used=3)
