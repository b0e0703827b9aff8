"""The Activity and Audit pages over HTTP: the day's counts in the server-drawn SVG
and the table, whose figures each login sees, the audit trail's filters and pages."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from gridreseller.bootstrap import Container
from gridreseller.domain.models import Surface
from gridreseller.sending.submission import Submission
from gridreseller.sending.targets import MaildirTarget
from tests.factories import Account, Factory, run_coroutine
from tests.mail.support import MESSAGE
from tests.mail.test_smtp_credits import set_limit
from tests.mail.test_submission import principal_of
from tests.web.webclient import FIELD_ERROR, WebClient

Web = Callable[[], WebClient]
BAR = re.compile(
    r'<g class="day" data-day="([0-9-]+)" data-messages="(\d+)" data-recipients="(\d+)" '
    r'data-refused="(\d+)">\s*<title>([^<]*)</title>'
)
AUDIT_ROW = re.compile(r'<td data-label="Action"><code>([^<]*)</code></td>')


@pytest.fixture
def submission(container: Container, tmp_path: Path) -> Submission:
    return container.submission_for(MaildirTarget(tmp_path / "box"), "mx.test")


def send(container: Container, submission: Submission, account: Account, recipients: int) -> None:
    principal = principal_of(container, account)

    async def go() -> None:
        held = await submission.reserve(principal, recipients)
        await submission.deliver(
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

    run_coroutine(go())


def bars(page: str) -> dict[str, tuple[int, int, int, str]]:
    return {
        day: (int(m), int(r), int(f), html.unescape(title))
        for day, m, r, f, title in BAR.findall(page)
    }


def field_errors(page: str) -> dict[str, str]:
    return {name: html.unescape(text) for _form, name, text in FIELD_ERROR.findall(page)}


def test_the_chart_and_table_show_the_days_counts(
    factory: Factory, container: Container, submission: Submission, web: Web
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits="10")
    send(container, submission, customer, 3)
    send(container, submission, customer, 2)
    send(container, submission, distributor, 1)
    today = date.today().isoformat()  # the clock follows the wall clock here
    client = web()
    client.login(distributor)

    whole = client.open("/dashboard/activity").text
    assert "<svg" in whole and "<script" not in whole
    found = bars(whole)
    assert len(found) == 30
    assert found[today] == (3, 6, 0, f"{today}: 3 sent to 6 recipients, 0 refused")
    assert "The whole account" in whole

    one = client.open("/dashboard/activity", user=customer.username).text
    assert bars(one)[today][:3] == (2, 5, 0)
    row = re.search(rf'<tr data-day="{today}">(.*?)</tr>', one, re.S)
    assert row is not None
    cells = re.findall(r'<td data-label="[^"]*">(\d+)</td>', row.group(1))
    assert cells[:5] == ["2", "5", "5", "0", "0"]  # messages, recipients, credits used...

    own = web()
    own.login(customer)
    mine = own.open("/dashboard/activity", user=distributor.username).text  # ignored
    assert bars(mine)[today][:3] == (2, 5, 0)


def test_another_distributors_customer_is_not_found(factory: Factory, web: Web) -> None:
    customer = factory.customer(factory.distributor())
    client = web()
    client.login(factory.distributor())
    assert client.get("/dashboard/activity", user=customer.username).status_code == 404


def test_bad_days_are_named_beside_their_fields(factory: Factory, web: Web) -> None:
    client = web()
    client.login(factory.distributor())
    refused = client.get("/dashboard/activity", since="03/01/2026", until="2026-03-01")
    assert refused.status_code == 400
    assert field_errors(refused.text) == {"since": "since must be a date as YYYY-MM-DD"}
    assert 'value="03/01/2026"' in refused.text
    backwards = client.get("/dashboard/audit", since="2026-03-02", until="2026-03-01")
    assert backwards.status_code == 400
    assert field_errors(backwards.text) == {"since": "since must not be after until"}
    assert client.get("/dashboard/audit", page="0").status_code == 400
    assert client.get("/dashboard/audit", actor="x" * 101).status_code == 400


def test_the_audit_trail_filters_and_pages(
    factory: Factory, container: Container, submission: Submission, web: Web
) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    other = factory.customer(distributor)
    for _ in range(51):
        set_limit(factory, distributor, customer, task="total", credits="5")
    send(container, submission, other, 1)
    client = web()
    client.login(distributor)

    first = client.open("/dashboard/audit", action="customer.limit").text
    assert AUDIT_ROW.findall(first) == ["customer.limit"] * 50
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.open("/dashboard/audit", action="customer.limit", page="2").text
    assert AUDIT_ROW.findall(second) == ["customer.limit"]
    assert 'rel="prev"' in second and 'rel="next"' not in second

    sent = client.open("/dashboard/audit", action="mail.", actor=other.username).text
    assert AUDIT_ROW.findall(sent) == ["mail.sent"]
    none = client.open("/dashboard/audit", action="mail.", since="2020-01-01", until="2020-01-31")
    assert AUDIT_ROW.findall(none.text) == [] and "No entries match" in none.text

    own = web()
    own.login(other)  # a customer: what it did and what was done to it, nothing else
    actions = set(AUDIT_ROW.findall(own.open("/dashboard/audit").text))
    assert {"mail.sent", "customer.create"} <= actions
    assert "customer.limit" not in actions  # the other customer's

    stranger = web()
    stranger.login(factory.distributor())
    assert AUDIT_ROW.findall(stranger.open("/dashboard/audit", action="customer.").text) == []
