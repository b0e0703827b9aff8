"""The dashboard in a real browser: Debian's Chromium driven by Playwright (issue 11).

Screenshots of every step land in test-artifacts/screenshots/<backend>/ (or the folder
GRIDRESELLER_SCREENSHOTS names); docs/images holds copies of the SQLite run's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from gridreseller.services import operator
from tests.conftest import new_database
from tests.factories import Account, Distributor, Factory, customer_params
from tests.support import ThreadServer, container_for

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
# What runs here: no sandbox as root, and nothing that calls out to Google's hosts.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("GRIDRESELLER_SCREENSHOTS", ROOT / "test-artifacts/screenshots"))
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 812}
# handle | first | last | company | address | city | state | zip | country | phone
PEOPLE = [
    "jane.cooper|Jane|Cooper|Northwind Traders|401 Pike St|Seattle|WA|98101|US|+1 206 555 0142",
    "omar.haddad|Omar|Haddad|Cedar Logistics|22 Hamra St|Beirut|Beirut|1103|LB|+961 1 555 210",
    "mei.tanaka|Mei|Tanaka|Sakura Florists|3-1 Umeda|Osaka|Osaka|530-0001|JP|+81 6 5555 0199",
    "lukas.weber|Lukas|Weber|Weber Bikes|Kaiser-Joseph-Str. 12|Freiburg|BW|79098|DE|+49 761 555",
    "ana.silva|Ana|Silva|Atlântico Café|Rua das Flores 8|Porto|Porto|4050-262|PT|+351 22 555 0133",
    "kwame.mensah|Kwame|Mensah|Gold Coast Media|14 Oxford St|Accra|GA|GA-101|GH|+233 30 555 0188",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (no browser downloads here), for this module only: Playwright's
    sync API keeps an event loop running on this thread until it stops, and tests that
    run after it call asyncio.run (so not pytest-playwright's session-wide fixture)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Site:
    """A server of its own on a fresh database, with a reseller and its customers."""

    server: ThreadServer
    factory: Factory
    reseller: Account
    customers: dict[str, Account]
    backend: str

    @property
    def url(self) -> str:
        return self.server.url

    def shot(self, page: Page, name: str) -> None:
        folder = SCREENSHOTS / self.backend
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def site(backend: str, request: pytest.FixtureRequest) -> Iterator[Site]:
    container = container_for(new_database(backend, request))
    server = ThreadServer(container)
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        factory = Factory(container.services, client)
        reseller = Account("acme-mail", "acme-reseller-pass")
        ctx = container.services
        operator.create_distributor(ctx, reseller.username, reseller.password, "ops@acme.example")
        for name, has_ip in (("Starter", False), ("Business", False), ("Dedicated", True)):
            operator.create_package(
                ctx,
                reseller.username,
                operator.PackageSpec(name=name, has_ip=has_ip, price="29", credits=40000),
            )
        operator.add_ips(ctx, reseller.username, "dedicated-eu", ["192.0.2.10", "192.0.2.11"])
        customers = {}
        for person in PEOPLE:
            handle, first, last, company, address, city, state, zip_code, country, phone = (
                person.split("|")
            )
            domain = company.split()[0].lower().replace("â", "a") + ".example"
            username = f"{handle}@{domain}"
            params = customer_params(
                "Starter",
                username=username,
                email=f"billing@{domain}",
                first_name=first,
                last_name=last,
                company=company,
                address=address,
                city=city,
                state=state,
                zip=zip_code,
                country=country,
                phone=phone,
                website=f"www.{domain}",
                whitelabel=f"mail.{domain}",
            )
            response = factory.call("distributor.add", "json", reseller, **params)
            assert response.status_code == 200, response.text
            customers[handle] = Account(username, params["password"])
        yield Site(server, factory, reseller, customers, backend)
    server.stop()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    yield context
    context.close()


def log_in(page: Page, site: Site, account: Account) -> None:
    page.goto(site.url + "/dashboard/login")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_log_in_through_the_form(site: Site, desktop: BrowserContext) -> None:
    page = desktop.new_page()
    page.goto(site.url + "/dashboard/")
    expect(page).to_have_url(site.url + "/dashboard/login")
    site.shot(page, "login")
    page.get_by_label("Username").fill(site.reseller.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is not correct.")
    site.shot(page, "login-refused")
    log_in(page, site, site.reseller)
    expect(page).to_have_url(site.url + "/dashboard/customers")
    expect(page.get_by_role("link", name=site.customers["jane.cooper"].username)).to_be_visible()
    site.shot(page, "customers")
    cookies = {c["name"]: c for c in desktop.cookies()}
    session = cookies["__Host-gridreseller"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Strict"


def test_add_and_remove_a_credential(site: Site, desktop: BrowserContext) -> None:
    customer = site.customers["mei.tanaka"]
    page = desktop.new_page()
    log_in(page, site, customer)
    page.get_by_role("link", name="Credentials").click()
    page.get_by_label("Name").fill("shop-smtp")
    page.get_by_label("Password").fill("x")
    page.get_by_role("button", name="Add credential").click()
    expect(
        page.get_by_text("Password\N{RIGHT DOUBLE QUOTATION MARK} must be at least 6")
    ).to_be_visible()
    site.shot(page, "credential-refused")
    page.get_by_label("Password").fill("smtp-secret-1")
    page.get_by_label("email").check()
    page.get_by_role("button", name="Add credential").click()
    expect(page.get_by_role("status")).to_have_text("The credential was added.")
    row = page.get_by_role("row").filter(has_text="shop-smtp")
    expect(row).to_contain_text("email")
    site.shot(page, "credentials")
    assert _credentials(site, customer) == {"shop-smtp": {"email": 1, "web": 0, "api": 0}}
    row.get_by_role("link", name="Remove").click()
    expect(page.get_by_role("heading", name="Remove credential")).to_be_visible()
    site.shot(page, "credential-remove")
    page.get_by_role("button", name="Remove credential").click()
    expect(page.get_by_role("status")).to_have_text("The credential was removed.")
    assert _credentials(site, customer) == {}


def test_distributor_disables_a_customer_and_resets_its_password(
    site: Site, desktop: BrowserContext
) -> None:
    customer = site.customers["lukas.weber"]
    page = desktop.new_page()
    log_in(page, site, site.reseller)
    page.get_by_role("link", name=customer.username).click()
    page.get_by_role("button", name="Disable sending").click()
    expect(page.get_by_role("status")).to_have_text("Sending is off.")
    expect(page.get_by_text("Sending off", exact=True)).to_be_visible()
    page.get_by_label("New password", exact=True).fill("weber-new-pass")
    page.get_by_label("Repeat the new password").fill("weber-new-pass")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("status")).to_contain_text("The password was reset")
    site.shot(page, "customer")
    row = site.factory.customer_row(site.reseller, customer.username)
    assert row is not None and row["active"] == "false"
    renewed = Account(customer.username, "weber-new-pass")
    assert site.factory.call("credentials/get", "json", renewed).status_code == 200
    assert site.factory.call("credentials/get", "json", customer).status_code == 401


def test_a_password_change_sends_the_other_browser_to_the_login(
    site: Site, browser: Browser
) -> None:
    customer = site.customers["ana.silva"]
    here = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    there = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    try:
        mine, other = here.new_page(), there.new_page()
        log_in(mine, site, customer)
        log_in(other, site, customer)
        mine.get_by_role("link", name="Password").click()
        mine.get_by_label("Current password").fill(customer.password)
        mine.get_by_label("New password", exact=True).fill("silva-new-pass")
        mine.get_by_label("Repeat the new password").fill("silva-new-pass")
        mine.get_by_role("button", name="Change password").click()
        expect(mine.get_by_role("status")).to_contain_text("Your password was changed")
        site.shot(mine, "password")
        other.get_by_role("link", name="Credentials").click()
        expect(other).to_have_url(site.url + "/dashboard/login")
        mine.get_by_role("link", name="Credentials").click()
        expect(mine).to_have_url(site.url + "/dashboard/credentials")
    finally:
        here.close()
        there.close()


def test_add_customer_shows_errors_beside_their_fields(site: Site, desktop: BrowserContext) -> None:
    page = desktop.new_page()
    log_in(page, site, site.reseller)
    page.get_by_role("link", name="Add customer").first.click()
    fields = customer_params("Dedicated", username="new.client@harbor.example")
    for name, value in fields.items():
        if name not in ("package", "whitelabel"):
            page.locator(f"#customer-{name}").fill(value)
    page.get_by_label("Package").select_option("Starter")
    page.get_by_label("Whitelabel domain").fill("not a domain")
    page.get_by_role("checkbox", name="192.0.2.10 — dedicated-eu").check()
    page.get_by_role("button", name="Create customer").click()
    expect(
        page.get_by_text("domain\N{RIGHT DOUBLE QUOTATION MARK} must be a domain name")
    ).to_be_visible()
    site.shot(page, "customer-new-refused")
    page.get_by_label("Package").select_option("Dedicated")
    page.get_by_label("Whitelabel domain").fill("mail.harbor.example")
    page.locator("#customer-password").fill(fields["password"])
    page.locator("#customer-confirm_password").fill(fields["password"])
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("status")).to_have_text("The customer was created.")


def test_a_customers_credential_sees_its_account(site: Site, desktop: BrowserContext) -> None:
    customer = site.customers["kwame.mensah"]
    credential = Account("kwame.viewer", "viewer-secret")
    added = site.factory.call(
        "credentials/add",
        "json",
        customer,
        username=credential.username,
        password=credential.password,
        permissions='{"web": 1}',
    )
    assert added.status_code == 200
    page = desktop.new_page()
    log_in(page, site, credential)
    expect(page).to_have_url(site.url + "/dashboard/account")
    expect(page.get_by_role("heading", name=customer.username)).to_be_visible()
    expect(page.get_by_role("link", name="Credentials")).to_have_count(0)
    site.shot(page, "account")


@pytest.mark.parametrize(
    "path", ["customers", "customer", "customers/new", "credentials", "packages", "ip-groups"]
)
def test_pages_fit_a_375_pixel_screen(site: Site, browser: Browser, path: str) -> None:
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        is_mobile=True,
        device_scale_factor=1,
    )
    try:
        page = context.new_page()
        log_in(page, site, site.reseller)
        query = f"?user={site.customers['omar.haddad'].username}" if path == "customer" else ""
        page.goto(f"{site.url}/dashboard/{path}{query}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        page.evaluate("window.scrollTo(1000, 0)")
        assert page.evaluate("window.scrollX") == 0
        site.shot(page, f"phone-{path.replace('/', '-')}")
    finally:
        context.close()


def test_search_sort_and_page_through_the_customer_list(
    site: Site, desktop: BrowserContext
) -> None:
    """A distributor of 60 customers: two pages, a search, a column sorted both ways."""
    bulk = Distributor("harbor-mail", "harbor-reseller-pass", "Starter")
    ctx = site.factory.ctx
    operator.create_distributor(ctx, bulk.username, bulk.password, "ops@harbor.example")
    operator.create_package(ctx, bulk.username, operator.PackageSpec(name=bulk.package))
    companies = ["Omega Freight", "omega bakery", "Alpha Books"]
    for n in range(60):
        company = companies[n] if n < len(companies) else f"Shop {n:02d}"
        username, email = f"shop{n:02d}@bulk.example", f"billing{n:02d}@bulk.example"
        site.factory.customer(bulk, username=username, email=email, company=company)
    page = desktop.new_page()
    log_in(page, site, bulk)
    status = page.locator("p.count")
    expect(status).to_have_text("60 customers · showing 1\N{EN DASH}50")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(site.url + "/dashboard/customers?page=2")
    expect(status).to_have_text("60 customers · showing 51\N{EN DASH}60")
    expect(page.get_by_role("link", name="shop59@bulk.example")).to_be_visible()
    page.get_by_role("link", name="Page 1", exact=True).click()
    expect(page.get_by_role("link", name="shop00@bulk.example")).to_be_visible()
    page.get_by_label("Search").fill("OMEGA")
    page.get_by_role("button", name="Search").click()
    expect(status).to_have_text("2 customers found · showing 1\N{EN DASH}2")
    page.get_by_role("link", name="Company").click()
    first_company = page.locator("tbody tr").first.locator('td[data-label="Company"]')
    expect(first_company).to_have_text("omega bakery")
    expect(page.get_by_role("columnheader", name="Company")).to_have_attribute(
        "aria-sort", "ascending"
    )
    page.get_by_role("link", name="Company").click()
    expect(first_company).to_have_text("Omega Freight")
    expect(page.get_by_label("Search")).to_have_value("OMEGA")
    site.shot(page, "customers-search")


def test_a_distributor_changes_its_own_password(site: Site, desktop: BrowserContext) -> None:
    reseller = Account("pacific-mail", "pacific-reseller-pass")
    ctx = site.factory.ctx
    operator.create_distributor(ctx, reseller.username, reseller.password, "ops@pacific.example")
    page = desktop.new_page()
    log_in(page, site, reseller)
    page.get_by_role("link", name="Password").click()
    page.get_by_label("Current password").fill("not-the-password")
    page.get_by_label("New password", exact=True).fill("pacific-new-pass")
    page.get_by_label("Repeat the new password").fill("pacific-new-pass")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("\N{LEFT DOUBLE QUOTATION MARK}Current password")).to_be_visible()
    site.shot(page, "password-refused")
    page.get_by_label("Current password").fill(reseller.password)
    page.get_by_label("New password", exact=True).fill("pacific-new-pass")
    page.get_by_label("Repeat the new password").fill("pacific-new-pass")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    page.get_by_role("button", name="Log out").click()
    log_in(page, site, Account(reseller.username, "pacific-new-pass"))
    expect(page).to_have_url(site.url + "/dashboard/customers")


def _credentials(site: Site, account: Account) -> dict[str, dict[str, int]]:
    response = site.factory.call("credentials/get", "json", account)
    return {c["name"]: c["permissions"] for c in response.json()}
