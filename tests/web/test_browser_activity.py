"""The Activity and Audit pages in Debian's Chromium (Playwright): the chart drawn by
the server with the day's counts, reached from the customer page, and the audit
trail's filters. Screenshots land beside test_browser.py's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from gridreseller.bootstrap import Container
from gridreseller.domain.access import Purpose
from gridreseller.domain.models import Surface
from gridreseller.sending.targets import MaildirTarget
from tests.conftest import new_database
from tests.factories import Account, Factory, run_coroutine
from tests.mail.support import MESSAGE
from tests.mail.test_smtp_credits import set_limit
from tests.support import Clock, ThreadServer, container_for
from tests.web.test_browser import SCREENSHOTS, browser, desktop  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow
# (day, recipients of each message sent that day) for the customer.
SENDING = {"2026-03-08": [2, 1], "2026-03-09": [5], "2026-03-10": [1, 1, 3]}


class Shop:
    """A server of its own on a fresh database whose clock stands at 2026-03-10."""

    def __init__(self, container: Container, server: ThreadServer, backend: str) -> None:
        self.container = container
        self.server = server
        self.backend = backend
        self.factory = Factory(container.services)
        self.reseller = self.factory.distributor()
        self.customer = self.factory.customer(self.reseller)

    def shot(self, page: Page, name: str) -> None:
        folder = SCREENSHOTS / self.backend
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    def log_in(self, page: Page, account: Account) -> None:
        page.goto(self.server.url + "/dashboard/login")
        page.get_by_label("Username").fill(account.username)
        page.get_by_label("Password").fill(account.password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()


def send_on(container: Container, clock: Clock, customer: Account, tmp: Path) -> None:
    submission = container.submission_for(MaildirTarget(tmp / "box"), "mx.test")
    login = container.identity.authenticate(
        customer.username, customer.password, "192.0.2.9", Purpose.SEND_MAIL
    )
    principal = run_coroutine(login)
    for day, messages in SENDING.items():
        clock.now = datetime.fromisoformat(f"{day}T10:00:00")
        for recipients in messages:

            async def one(count: int = recipients) -> None:
                held = await submission.reserve(principal, count)
                await submission.deliver(
                    principal,
                    held,
                    sender="news@example.com",
                    recipients=[f"r{n}@example.com" for n in range(count)],
                    message=MESSAGE,
                    options=[],
                    helo=None,
                    client="192.0.2.9",
                    surface=Surface.SMTP,
                )
                await container.flush_audit()

            run_coroutine(one())


@pytest.fixture(scope="module")
def shop(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shop]:
    clock = Clock(datetime(2026, 3, 8, 9, 0, 0))
    container = container_for(new_database(backend, request), clock)
    server = ThreadServer(container)
    server.start()
    made = Shop(container, server, backend)
    set_limit(made.factory, made.reseller, made.customer, task="total", credits="100")
    send_on(container, clock, made.customer, tmp_path_factory.mktemp("mail"))
    yield made
    server.stop()


def test_the_activity_chart_from_the_customer_page(
    shop: Shop,
    desktop: BrowserContext,  # noqa: F811 - the fixture imported above
) -> None:
    page = desktop.new_page()
    shop.log_in(page, shop.reseller)
    page.goto(shop.server.url + "/dashboard/customers")
    page.get_by_role("link", name=shop.customer.username).click()
    page.get_by_role("link", name="Sending activity").click()
    chart = page.get_by_role("img", name="Messages per day")
    expect(chart).to_be_visible()
    bar = chart.locator('g[data-day="2026-03-10"]')
    expect(bar.locator("title")).to_have_text("2026-03-10: 3 sent to 5 recipients, 0 refused")
    expect(bar.locator("rect.sent")).to_have_count(1)
    expect(chart.locator("rect.sent")).to_have_count(3)  # three days with mail
    row = page.get_by_role("row").filter(has_text="2026-03-09")
    expect(row).to_contain_text("5")
    tallest = chart.locator('g[data-day="2026-03-10"] rect.sent').bounding_box()
    shorter = chart.locator('g[data-day="2026-03-09"] rect.sent').bounding_box()
    assert tallest is not None and shorter is not None
    assert tallest["height"] > shorter["height"] > 0  # 3 messages against 1
    shop.shot(page, "activity")

    page.get_by_text("Days", exact=True).click()  # the filters open
    page.get_by_label("Since").fill("2026-03-09")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("2026-03-09 to 2026-03-10")).to_be_visible()
    expect(chart.locator("g.day")).to_have_count(2)


def test_the_audit_trail_filters(
    shop: Shop,
    desktop: BrowserContext,  # noqa: F811 - the fixture imported above
) -> None:
    page = desktop.new_page()
    shop.log_in(page, shop.reseller)
    page.get_by_role("link", name="Audit").click()
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Action").fill("mail.")
    page.get_by_label("Actor").fill(shop.customer.username)
    page.get_by_label("Since").fill("2026-03-09")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(4)  # 2026-03-09 and -10's messages
    expect(rows.first).to_contain_text("mail.sent")
    expect(rows.first).to_contain_text("2026-03-10 10:00:00")
    shop.shot(page, "audit")
    page.get_by_label("Action").fill("customer.limit")
    page.get_by_label("Actor").fill("")
    page.get_by_label("Since").fill("2026-03-09")  # the limit was set on the 8th
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No entries match these filters.")).to_be_visible()
    page.get_by_label("Since").fill("2026-03-11")  # after today (the clock's 10th)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("since must not be after until")).to_be_visible()
    page.get_by_label("Since").fill("")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("customer.limit")
