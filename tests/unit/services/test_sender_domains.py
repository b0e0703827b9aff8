"""Allowed sender domains (distributor.manage method=profile task=setSenderDomains): the
list set, shown in profile get, refused whole when one entry is bad, audited; and the
submission service's check that every surface that sends calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gridreseller.api.legacy.manage import MANAGE
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.errors import NotFound, Problem
from gridreseller.domain.senders import MAX_SENDER_DOMAINS
from gridreseller.sending.submission import SenderNotAllowed, Submission
from gridreseller.sending.targets import MaildirTarget
from gridreseller.sending.transports import MaildirTransport
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from tests.factories import Account, Distributor, Factory, run_coroutine
from tests.unit.services.support import problems

BAD_ENTRY = "sender_domains[] must be a domain name or *. followed by one"


def set_domains(factory: Factory, distributor: Account, user: str, domains: Any) -> None:
    factory.run(
        MANAGE,
        distributor,
        method="profile",
        task="setSenderDomains",
        user=user,
        sender_domains=domains,
    )


def listed(factory: Factory, distributor: Account, customer: Account) -> str:
    row = factory.customer_row(distributor, customer.username)
    assert row is not None
    return row["sender_domains"]


def refused(factory: Factory, distributor: Account, **params: Any) -> list[Problem]:
    return problems(
        factory, MANAGE, distributor, method="profile", task="setSenderDomains", **params
    )


@pytest.fixture
def pair(factory: Factory) -> tuple[Distributor, Account]:
    distributor = factory.distributor()
    return distributor, factory.customer(distributor)


def test_a_new_customer_may_use_any_sender(
    factory: Factory, pair: tuple[Distributor, Account]
) -> None:
    assert listed(factory, *pair) == ""


def test_the_list_is_kept_in_comparison_form_once_each_and_shown(
    factory: Factory, pair: tuple[Distributor, Account]
) -> None:
    distributor, customer = pair
    given = ["Example.COM.", "*.Bücher.de", "example.com", " mail.test "]
    set_domains(factory, distributor, customer.username, given)
    assert listed(factory, *pair) == "example.com,*.xn--bcher-kva.de,mail.test"


def test_the_whole_list_is_replaced_and_one_empty_value_empties_it(
    factory: Factory, pair: tuple[Distributor, Account]
) -> None:
    distributor, customer = pair
    set_domains(factory, distributor, customer.username, ["a.example", "b.example"])
    set_domains(factory, distributor, customer.username, ["c.example"])
    assert listed(factory, *pair) == "c.example"
    set_domains(factory, distributor, customer.username, [""])
    assert listed(factory, *pair) == ""


def test_a_lone_sender_domains_value_counts_as_a_list_of_one(
    factory: Factory, pair: tuple[Distributor, Account]
) -> None:
    distributor, customer = pair
    set_domains(factory, distributor, customer.username, "lone.example")
    assert listed(factory, *pair) == "lone.example"


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        (["good.example", "bad domain"], f"{BAD_ENTRY}: 'bad domain'"),
        (["*.com"], f"{BAD_ENTRY}: '*.com'"),
        (["jo@example.com"], f"{BAD_ENTRY}: 'jo@example.com'"),
        (["a\x00.example"], BAD_ENTRY),
        (
            [f"d{n}.example" for n in range(MAX_SENDER_DOMAINS + 1)],
            f"sender_domains[] must have at most {MAX_SENDER_DOMAINS} entries",
        ),
        (None, "sender_domains[] is required (one empty sender_domains[] allows any sender)"),
    ],
)
def test_a_bad_list_is_refused_naming_the_parameter_and_nothing_changes(
    factory: Factory, pair: tuple[Distributor, Account], domains: Any, message: str
) -> None:
    distributor, customer = pair
    set_domains(factory, distributor, customer.username, ["kept.example"])
    found = refused(factory, distributor, user=customer.username, sender_domains=domains)
    assert found == [Problem("sender_domains", message)]
    assert listed(factory, *pair) == "kept.example"


def test_fifty_entries_are_allowed(factory: Factory, pair: tuple[Distributor, Account]) -> None:
    distributor, customer = pair
    domains = [f"d{n}.example" for n in range(MAX_SENDER_DOMAINS)]
    set_domains(factory, distributor, customer.username, [*domains, domains[0].upper()])
    assert listed(factory, *pair).split(",") == domains


def test_only_the_distributors_own_live_customers(
    factory: Factory, pair: tuple[Distributor, Account]
) -> None:
    distributor, _customer = pair
    others = factory.customer(factory.distributor())
    deleted = factory.deleted_customer(distributor)
    for user in (others.username, deleted.username, "ghost@example.com"):
        with pytest.raises(NotFound):
            set_domains(factory, distributor, user, ["x.example"])


def test_setting_the_list_is_audited(
    factory: Factory, pair: tuple[Distributor, Account], services: ServiceContext
) -> None:
    distributor, customer = pair
    set_domains(factory, distributor, customer.username, ["Example.com", "*.mail.test"])
    (event,) = [
        e
        for e in audit.events(services, None, None)
        if e.target == customer.username and e.action == "customer.sender_domains"
    ]
    assert (event.actor, event.surface) == (distributor.username, "api")
    assert event.details == {"sender_domains": ["example.com", "*.mail.test"]}


# The check every sending surface calls ------------------------------------------------


@pytest.fixture
def submission(services: ServiceContext, tmp_path: Path) -> Iterator[Submission]:
    transport = MaildirTransport(MaildirTarget(tmp_path / "box"))
    yield Submission(
        services, transport, "mx.test", lambda _entry: None, lambda _key, _counts: None
    )
    # The SMTP logins' success entries, written now, on the loop they were made on.
    run_coroutine(services.identity.successes.flush())


def principal_of(factory: Factory, account: Account) -> Principal:
    login = factory.ctx.identity.authenticate(
        account.username, account.password, "192.0.2.9", Purpose.SEND_MAIL
    )
    return run_coroutine(login)


def verdict(
    submission: Submission, principal: Principal, sender: str | None, *header: str
) -> str | None:
    """None when allowed, else which address was refused (`sender` or `from`)."""
    try:
        run_coroutine(submission.check_sender(principal, sender, header))
    except SenderNotAllowed as error:
        return error.field
    return None


@pytest.mark.parametrize(
    ("sender", "header", "expected"),
    [
        ("jo@example.com", (), None),
        ("jo@EXAMPLE.com", ("Jo@Example.com",), None),
        ("jo@x.mail.test", ("a@example.com", "b@y.mail.test"), None),
        ("jo@other.example", (), "sender"),
        ("jo@sub.example.com", (), "sender"),
        ("jo@example.com", ("a@example.com", "b@other.example"), "from"),
        ("jo@other.example", ("a@other.example",), "sender"),  # the envelope first
        ("", ("a@example.com",), None),  # a null sender: its From: is judged
        ("<>", ("a@example.com",), None),
        ("<>", ("a@other.example",), "from"),
        (None, ("a@other.example",), "from"),
        ("jo@example.com", ("",), "from"),  # an unreadable From:
    ],
)
def test_the_sender_check_judges_the_envelope_then_every_from_address(
    factory: Factory,
    pair: tuple[Distributor, Account],
    submission: Submission,
    sender: str | None,
    header: tuple[str, ...],
    expected: str | None,
) -> None:
    distributor, customer = pair
    set_domains(factory, distributor, customer.username, ["example.com", "*.mail.test"])
    assert verdict(submission, principal_of(factory, customer), sender, *header) == expected


def test_a_customers_credentials_are_bound_by_its_list(
    factory: Factory, pair: tuple[Distributor, Account], submission: Submission
) -> None:
    distributor, customer = pair
    credential = principal_of(factory, factory.credential(customer, email=1))
    assert verdict(submission, credential, "jo@anything.example") is None
    set_domains(factory, distributor, customer.username, ["example.com"])
    assert verdict(submission, credential, "jo@anything.example") == "sender"
    assert verdict(submission, credential, "jo@example.com") is None


def test_distributors_and_unbound_customers_send_as_anyone(
    factory: Factory, pair: tuple[Distributor, Account], submission: Submission
) -> None:
    distributor, customer = pair
    bound = factory.customer(distributor)
    set_domains(factory, distributor, bound.username, ["example.com"])
    for account in (distributor, customer, factory.credential(distributor, email=1)):
        assert (
            verdict(submission, principal_of(factory, account), "x@any.example", "y@z.example")
            is None
        )


def test_the_message_check_reads_the_from_headers(
    factory: Factory, pair: tuple[Distributor, Account], submission: Submission
) -> None:
    distributor, customer = pair
    set_domains(factory, distributor, customer.username, ["example.com"])
    principal = principal_of(factory, customer)
    good = b"From: Jo <jo@example.com>\r\nSubject: hi\r\n\r\nFrom: x@other.example\r\n"
    bad = b"From: Jo <jo@other.example>\r\n\r\nbody\r\n"
    run_coroutine(submission.check_message_sender(principal, "jo@example.com", good))
    with pytest.raises(SenderNotAllowed) as raised:
        run_coroutine(submission.check_message_sender(principal, "jo@example.com", bad))
    assert raised.value.field == "from"
