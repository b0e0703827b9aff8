"""In Chromium: a distributor changes a customer's package on its page, creates a
package and deletes it through the confirmation step, and adds and removes an IP
address. The site, the browser and the screenshots are test_browser.py's."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from gridreseller.services import operator
from tests.web import test_browser
from tests.web.test_browser import Site, log_in

pytestmark = pytest.mark.slow
# test_browser.py's fixtures, by name: a site of this module's own in the same browser.
browser = test_browser.browser
site = test_browser.site
desktop = test_browser.desktop


def test_change_a_customers_package_and_create_and_delete_a_package(
    site: Site, desktop: BrowserContext
) -> None:
    customer = site.customers["ana.silva"]
    page = desktop.new_page()
    log_in(page, site, site.reseller)
    page.get_by_role("link", name=customer.username).click()
    plan = page.locator("#plan")
    plan.get_by_label("Package").select_option("Business")
    plan.get_by_role("button", name="Change package").click()
    expect(page.get_by_role("status")).to_have_text("The package was changed.")
    expect(page.locator("#plan dd").first).to_have_text("Business")
    site.shot(page, "customer-plan")
    row = site.factory.customer_row(site.reseller, customer.username)
    assert row is not None and row["package"] == "Business"

    page.get_by_role("link", name="Packages").click()
    page.get_by_label("Name", exact=True).fill("Volume")
    page.get_by_label("Price", exact=True).fill("cheap")
    page.get_by_role("button", name="Create package").click()
    expect(
        page.get_by_text(
            "\N{LEFT DOUBLE QUOTATION MARK}Price\N{RIGHT DOUBLE QUOTATION MARK} must be a number"
        )
    ).to_be_visible()
    page.get_by_label("Price", exact=True).fill("99")
    page.get_by_label("Credits").fill("250000")
    page.get_by_role("button", name="Create package").click()
    expect(page.get_by_role("status")).to_have_text("The package was created.")
    site.shot(page, "packages")
    page.get_by_role("row").filter(has_text="Volume").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete package")).to_be_visible()
    page.get_by_role("button", name="Delete package").click()
    expect(page.get_by_role("status")).to_have_text("The package was deleted.")
    names = {row.name for row in operator.packages(site.factory.ctx, site.reseller.username)}
    assert names == {"Starter", "Business", "Dedicated"}


def test_add_and_remove_an_ip_address(site: Site, desktop: BrowserContext) -> None:
    page = desktop.new_page()
    log_in(page, site, site.reseller)
    page.get_by_role("link", name="IP groups").click()
    page.get_by_label("Group").fill("dedicated-eu")
    page.get_by_label("Addresses").fill("192.0.2.12")
    page.get_by_role("button", name="Add addresses").click()
    expect(page.get_by_role("status")).to_have_text("The addresses were added.")
    site.shot(page, "ip-groups")
    page.get_by_role("row").filter(has_text="192.0.2.12").get_by_role("link").click()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_have_text("The address was removed.")
    rows = operator.ip_addresses(site.factory.ctx, site.reseller.username)
    assert {row.address for row in rows} == {"192.0.2.10", "192.0.2.11"}
