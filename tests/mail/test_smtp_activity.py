"""Sending activity through the embedded SMTP server, read back by the services and
by the operator's `gridreseller stats` (table and JSON), on both databases."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gridreseller.cli import app
from gridreseller.domain.access import Purpose
from gridreseller.domain.activity import Counts
from gridreseller.services import activity
from gridreseller.services.activity import ActivityQuery
from tests.factories import Account, Factory, run_coroutine
from tests.mail.support import MESSAGE, REJECTED, SmtpThread, signed_in
from tests.mail.test_smtp_credits import rcpt, set_limit
from tests.support import eventually

runner = CliRunner()


def counted_today(factory: Factory, account: Account) -> Counts:
    # Admitted for an API purpose: no login batched on this thread's loop, which stops
    # between calls while the SMTP server writes on its own.
    actor = factory.actor(account, Purpose.API_CREDENTIALS)
    found = run_coroutine(activity.of_actor(factory.ctx, actor, ActivityQuery()))
    return found.days[-1].total


def stats(database_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["stats", *args, "--database-url", database_url])
    return result.exit_code, result.output


def test_mail_sent_over_smtp_is_counted_for_the_day(
    factory: Factory, smtp: SmtpThread, database_url: str
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="3")
    with signed_in(smtp.port, customer) as client:
        client.sendmail("from@example.com", ["a@example.com", "b@example.com"], MESSAGE)
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, "c@example.com").startswith("250 ")
        assert rcpt(client, "d@example.com").startswith("452 ")  # no credits left
        client.rset()
        assert client.mail("from@example.com")[0] == 250
        assert rcpt(client, REJECTED).startswith("250 ")
        assert client.data(MESSAGE)[0] == 550  # the upstream's refusal: its credit back
    expected = Counts(
        messages=1, recipients=2, credits_used=2, messages_refused=1, recipients_refused=1
    )
    assert eventually(lambda: counted_today(factory, customer) == expected)

    code, output = stats(database_url, "--distributor", distributor.username, "--json")
    assert code == 0, output
    (whole,) = [json.loads(line) for line in output.splitlines()]
    assert (whole["account"], whole["whole_distributor"]) == (distributor.username, True)
    assert whole["total"] == expected._asdict()
    assert whole["days"][-1]["by_surface"]["smtp"] == expected._asdict()

    args = ("--distributor", distributor.username, "--customer", customer.username)
    code, output = stats(database_url, *args, "--since", whole["days"][-1]["day"])
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith(f"{customer.username}, ")
    assert lines[2].split() == [whole["days"][-1]["day"], "1", "2", "2", "1", "1"]
    assert lines[3].split() == ["total", "1", "2", "2", "1", "1"]


def test_stats_refuses_what_it_cannot_show(factory: Factory, database_url: str) -> None:
    distributor = factory.distributor()
    refusals = {
        ("--customer", "x"): "error: --customer needs --distributor",
        ("--distributor", "no-such-one"): "error: no distributor named 'no-such-one'",
        ("--distributor", distributor.username, "--customer", "nobody"): (
            f"error: {distributor.username} has no customer named 'nobody'"
        ),
        ("--since", "2026-02-30"): "error: --since must be a date as YYYY-MM-DD",
        ("--since", "2026-03-02", "--until", "2026-03-01"): (
            "error: --since must not be after --until"
        ),
    }
    for args, line in refusals.items():
        code, output = stats(database_url, *args)
        assert (code, output.strip()) == (1, line)


def test_stats_without_a_name_shows_each_distributor(factory: Factory, database_url: str) -> None:
    distributor = factory.distributor()
    code, output = stats(database_url, "--since", "2026-03-01", "--until", "2026-03-01")
    assert code == 0, output
    header, *rows = [line.split() for line in output.splitlines()]
    assert header[:3] == ["distributor", "messages", "recipients"]
    assert [distributor.username, "0", "0", "0", "0", "0"] in rows
