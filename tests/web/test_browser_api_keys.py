"""The API keys page in Debian's Chromium (docs/dashboard.md): a key made, copied with
the copy button (and, with JavaScript off, selectable in its read-only field), then
renamed, narrowed and deleted after a confirmation; the /v3 API agrees at each step."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories import Account
from tests.web.test_browser import DESKTOP, PHONE, Site, browser, log_in, site

pytestmark = pytest.mark.slow
__all__ = ["browser", "site"]  # the fixtures this module shares with test_browser.py


def scopes(site: Site, key: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.get(f"{site.url}/v3/scopes", headers=headers, timeout=30)


@pytest.fixture
def scripted(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    yield context
    context.close()


@pytest.fixture
def scriptless(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)  # type: ignore[arg-type]
    yield context
    context.close()


def create_key(page: Page, site: Site, account: Account, name: str) -> str:
    log_in(page, site, account)
    page.get_by_role("navigation").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys", exact=True)).to_be_visible()
    page.get_by_label("Name").fill(name)
    for scope in ("api_keys.create", "api_keys.update", "api_keys.delete"):
        page.get_by_label(scope).uncheck()
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    field = page.get_by_label("API key")
    expect(field).to_have_attribute("readonly", "")
    return field.input_value()


def test_create_copy_rename_narrow_and_delete(site: Site, scripted: BrowserContext) -> None:
    page = scripted.new_page()
    key = create_key(page, site, site.customers["ana.silva"], "webshop")
    assert key.startswith("SG.")
    assert scopes(site, key).json() == {"scopes": ["mail.send", "api_keys.read", "scopes.read"]}
    copy = page.get_by_role("button", name="Copy")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    site.shot(page, "api-key-created")
    page.get_by_role("link", name="Done").click()
    key_id = key.split(".")[1]
    row = page.get_by_role("row").filter(has_text=key_id)
    expect(row).to_contain_text("webshop")
    expect(row).to_contain_text("mail.send")
    assert key.split(".")[2] not in page.content()
    site.shot(page, "api-keys")
    row.get_by_role("link", name="Edit").click()
    page.get_by_label("Name").fill("webshop-eu")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("status")).to_have_text("The API key was saved.")
    page.get_by_role("row").filter(has_text=key_id).get_by_role("link", name="Edit").click()
    page.get_by_label("api_keys.read").uncheck()
    page.get_by_role("button", name="Save scopes").click()
    expect(page.get_by_role("status")).to_have_text("The API key was saved.")
    assert scopes(site, key).json() == {"scopes": ["mail.send", "scopes.read"]}
    row = page.get_by_role("row").filter(has_text=key_id)
    expect(row).to_contain_text("webshop-eu")
    row.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete API key")).to_be_visible()
    site.shot(page, "api-key-delete")
    assert scopes(site, key).status_code == 200  # asking deleted nothing
    page.get_by_role("button", name="Delete API key").click()
    expect(page.get_by_role("status")).to_have_text("The API key was deleted; it no longer works.")
    assert scopes(site, key).status_code == 401


def test_without_javascript_the_key_is_a_selectable_field(
    site: Site, scriptless: BrowserContext
) -> None:
    page = scriptless.new_page()
    key = create_key(page, site, site.customers["kwame.mensah"], "no-script")
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()
    field = page.get_by_label("API key")
    expect(field).to_be_visible()
    expect(page.get_by_text("Select the key and copy it")).to_be_visible()
    field.select_text()  # selectable though read-only
    active = "[document.activeElement.id, document.activeElement.value, "
    active += "document.activeElement.selectionStart, document.activeElement.selectionEnd]"
    assert page.evaluate(active) == ["new-api-key", key, 0, len(key)]
    assert scopes(site, key).status_code == 200


def test_the_pages_fit_a_375_pixel_screen(site: Site, browser: Browser) -> None:
    """The key list (a table that becomes cards), one key's forms, and a new key's
    field, without sideways scrolling."""
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        is_mobile=True,
        device_scale_factor=1,
    )
    try:
        page = context.new_page()
        key = create_key(page, site, site.customers["lukas.weber"], "phone")
        pages = ["api-keys", f"api-key?id={key.split('.')[1]}"]
        for index, path in enumerate(["", *pages]):
            if path:
                page.goto(f"{site.url}/dashboard/{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path or "created", width)
            site.shot(page, f"phone-api-keys-{index}")
    finally:
        context.close()
