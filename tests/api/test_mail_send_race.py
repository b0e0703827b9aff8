"""Credits under a race (docs/api.md, mail.send): concurrent calls over two `gridreseller
serve` processes on one database never send to more recipients than the credits allow,
and every call is all or none."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from urllib.parse import urlencode

import httpx
import pytest

from gridreseller.services import operator
from tests.factories import Distributor, Factory, form_pairs
from tests.mail.support import Sink
from tests.mail.test_smtp_credits import remaining, set_limit
from tests.support import container_for, serve_process

pytestmark = pytest.mark.slow
CALLERS = 8
CALLS = 5
RECIPIENTS = 3  # per call: 120 recipients attempted in all
CREDITS = 37  # not a multiple of 3: the last credit can buy no call
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def two_serves(fresh_database_url: str) -> Iterator[tuple[list[str], Sink, str]]:
    container = container_for(fresh_database_url)
    ctx = container.services
    operator.create_distributor(ctx, "racer", "racer-pass", "r@example.com")
    operator.create_package(ctx, "racer", operator.PackageSpec(name="basic"))
    container.close()
    sink = Sink()
    sink.start()
    relay = {"GRIDRESELLER_RELAY": f"127.0.0.1:{sink.port}"}
    try:
        with ExitStack() as stack:
            urls = [
                stack.enter_context(serve_process(fresh_database_url, env=relay))[0]
                for _ in range(2)
            ]
            yield urls, sink, fresh_database_url
    finally:
        sink.stop()


def test_racing_calls_in_two_processes_never_overspend(
    two_serves: tuple[list[str], Sink, str],
) -> None:
    urls, sink, database_url = two_serves
    container = container_for(database_url)
    factory = Factory(container.services)
    distributor = Distributor("racer", "racer-pass", "basic")
    customer = factory.customer(distributor)
    set_limit(factory, distributor, customer, task="total", credits=str(CREDITS))
    statuses: list[int] = []
    failures: list[BaseException] = []

    def caller(n: int) -> None:
        try:
            with httpx.Client(base_url=urls[n % 2], timeout=60) as client:
                for m in range(CALLS):
                    to = [f"c{n}m{m}r{k}@example.com" for k in range(RECIPIENTS)]
                    form = {"from": "f@example.com", "subject": "race", "text": "x", "to": to}
                    body = urlencode([*customer.auth.items(), *form_pairs(**form)])
                    answer = client.post("/api/mail.send.json", content=body, headers=FORM)
                    statuses.append(answer.status_code)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not failures, failures
    sent = list(sink.messages)
    recipients = sum(len(m.rcpt_tos) for m in sent)
    print(
        f"race: {CALLERS * CALLS} calls of {RECIPIENTS} recipients, {CREDITS} credits, "
        f"{statuses.count(200)} sent, {recipients} recipients relayed"
    )
    assert set(statuses) == {200, 403}
    assert all(len(m.rcpt_tos) == RECIPIENTS for m in sent)  # all or none per call
    assert statuses.count(200) == len(sent) == CREDITS // RECIPIENTS
    assert remaining(factory, distributor, customer) == CREDITS % RECIPIENTS
    container.close()
