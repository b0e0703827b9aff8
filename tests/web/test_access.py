"""Who may use which dashboard page (docs/dashboard.md's "may do" column), enforced on every route,
GET and POST; another tenant's customer answers as one that does not exist."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from gridreseller.services import customer_plan
from gridreseller.web import messages
from tests.factories import Account, Distributor, Factory, customer_params, run_coroutine, unique
from tests.web.webclient import WebClient, problem

Web = Callable[[], WebClient]
ADDRESSES = itertools.count(1)  # a distinct address (of 254) for each World's IP group

CUSTOMERS, PACKAGES, CATALOG, CREDENTIALS, PASSWORD, ACCOUNT = (
    "customers",
    "packages",  # and IP groups, to look at
    "catalog",  # packages and IP groups changed
    "credentials",
    "password",
    "account",
)
# docs/dashboard.md, read for each kind of login (written out here, not taken from the code).
MAY = {
    "distributor": {
        CUSTOMERS,
        PACKAGES,
        CATALOG,
        CREDENTIALS,
        PASSWORD,
    },  # and issue 22's own password
    "distributor credential": {CUSTOMERS, PACKAGES},
    "customer": {CREDENTIALS, PASSWORD, ACCOUNT},
    "customer credential": {ACCOUNT},
}
# Every route: method, path, the area it belongs to.
ROUTES = [
    ("GET", "/dashboard/customers", CUSTOMERS),
    ("GET", "/dashboard/customers/new", CUSTOMERS),
    ("POST", "/dashboard/customers/new", CUSTOMERS),
    ("GET", "/dashboard/customer", CUSTOMERS),
    ("POST", "/dashboard/customer", CUSTOMERS),
    ("POST", "/dashboard/customer/profile", CUSTOMERS),
    ("POST", "/dashboard/customer/username", CUSTOMERS),
    ("POST", "/dashboard/customer/email", CUSTOMERS),
    ("POST", "/dashboard/customer/password", CUSTOMERS),
    ("POST", "/dashboard/customer/manage", CUSTOMERS),
    ("POST", "/dashboard/customer/limit", CUSTOMERS),
    ("POST", "/dashboard/customer/package", CUSTOMERS),
    ("POST", "/dashboard/customer/whitelabel", CUSTOMERS),
    ("POST", "/dashboard/customer/ip_groups", CUSTOMERS),
    ("POST", "/dashboard/customer/billing_date", CUSTOMERS),
    ("GET", "/dashboard/customer/delete", CUSTOMERS),
    ("POST", "/dashboard/customer/delete", CUSTOMERS),
    ("GET", "/dashboard/packages", PACKAGES),
    ("POST", "/dashboard/packages", CATALOG),
    ("GET", "/dashboard/packages/delete", CATALOG),
    ("GET", "/dashboard/ip-groups", PACKAGES),
    ("POST", "/dashboard/ip-groups", CATALOG),
    ("GET", "/dashboard/ip-groups/remove", CATALOG),
    ("GET", "/dashboard/credentials", CREDENTIALS),
    ("POST", "/dashboard/credentials/add", CREDENTIALS),
    ("GET", "/dashboard/credential", CREDENTIALS),
    ("POST", "/dashboard/credential/edit", CREDENTIALS),
    ("GET", "/dashboard/credential/remove", CREDENTIALS),
    ("POST", "/dashboard/credential/remove", CREDENTIALS),
    ("GET", "/dashboard/password", PASSWORD),
    ("POST", "/dashboard/password", PASSWORD),
    ("GET", "/dashboard/account", ACCOUNT),
]
NAVIGATION = {
    CUSTOMERS: 'href="/dashboard/customers"',
    PACKAGES: 'href="/dashboard/packages"',
    CREDENTIALS: 'href="/dashboard/credentials"',
    PASSWORD: 'href="/dashboard/password"',
    ACCOUNT: 'href="/dashboard/account"',
}


class World:
    """One distributor's tenant with one login of each kind, and a victim of each change."""

    def __init__(self, factory: Factory) -> None:
        self.factory = factory
        self.distributor = factory.distributor()
        self.customer = factory.customer(self.distributor)
        self.victim = factory.customer(self.distributor)  # what refused POSTs would change
        self.logins: dict[str, Account] = {
            "distributor": self.distributor,
            "distributor credential": factory.credential(self.distributor, web=1),
            "customer": self.customer,
            "customer credential": factory.credential(self.customer, web=1),
        }
        self.victim_credential = factory.credential(self.distributor, email=1)
        self.spare_package = factory.package(self.distributor)
        self.group = factory.ip_group(self.distributor, f"100.64.0.{next(ADDRESSES)}")

    def form_for(self, path: str) -> dict[str, str]:
        """A valid form for each POST route, aimed at the victims."""
        user = self.victim.username
        forms = {
            "/dashboard/customers/new": customer_params(self.distributor.package),
            "/dashboard/customer/profile": {"user": user, "city": "Elsewhere"},
            "/dashboard/customer/username": {"user": user, "username": unique("x") + "@x.org"},
            "/dashboard/customer/email": {"user": user, "email": "changed@example.com"},
            "/dashboard/customer/password": {
                "user": user,
                "password": "changed-pass",
                "confirm_password": "changed-pass",
            },
            "/dashboard/customer/manage": {"user": user, "method": "disable"},
            "/dashboard/customer": {"user": user, "change": "manage", "method": "disable"},
            "/dashboard/customer/limit": {"user": user, "task": "total", "credits": "5"},
            "/dashboard/customer/delete": {"user": user},
            "/dashboard/customer/package": {"user": user, "package": self.spare_package},
            "/dashboard/customer/whitelabel": {"user": user, "whitelabel": "changed.example"},
            "/dashboard/customer/ip_groups": {"user": user, "ip_group[]": self.group},
            "/dashboard/customer/billing_date": {"user": user, "billing_date": ""},
            "/dashboard/packages": {"change": "delete_package", "name": self.spare_package},
            "/dashboard/ip-groups": {"change": "remove_group", "group": self.group},
            "/dashboard/credentials/add": {"username": unique("c"), "password": "cred-secret"},
            "/dashboard/credential/edit": {"username": self.victim_credential.username, "api": "1"},
            "/dashboard/credential/remove": {"username": self.victim_credential.username},
            "/dashboard/password": {
                "current_password": "x",
                "password": "changed-pass",
                "confirm_password": "changed-pass",
            },
        }
        return forms[path]

    def snapshot(self) -> object:
        """What the refused POSTs would have changed, read through the API."""
        victim = self.factory.customer_row(self.distributor, self.victim.username)
        listed = self.factory.customers_of(self.distributor)
        credentials = self.factory.call("credentials/get", "json", self.distributor).json()
        packages = self.factory.call("distributor.packages", "json", self.distributor).json()
        actor = self.factory.actor(self.distributor)
        plan = customer_plan.view_plan(self.factory.ctx, actor, self.victim.username)
        return victim, len(listed), credentials, packages, run_coroutine(plan)


@pytest.mark.parametrize("kind", list(MAY))
def test_pages_outside_a_logins_rights_are_403_and_change_nothing(
    factory: Factory, web: Web, kind: str
) -> None:
    world = World(factory)
    client = web()
    assert client.login(world.logins[kind]).status_code == 303
    before = world.snapshot()
    for method, path, area in ROUTES:
        if area in MAY[kind]:
            continue
        landing = client.get("/dashboard/").headers["location"]
        client.open(landing)  # a page with this session's token
        if method == "GET":
            response = client.get(path, user=world.victim.username)
        else:
            response = client.post(path, world.form_for(path))
        assert response.status_code == 403, (kind, method, path)
        assert problem(response) == messages.PAGE_FORBIDDEN
    assert world.snapshot() == before


@pytest.mark.parametrize("kind", list(MAY))
def test_navigation_offers_exactly_a_logins_pages(factory: Factory, web: Web, kind: str) -> None:
    world = World(factory)
    client = web()
    client.login(world.logins[kind])
    page = client.open(client.get("/dashboard/").headers["location"]).text
    for area, link in NAVIGATION.items():
        assert (link in page) == (area in MAY[kind]), (kind, area)
    if PACKAGES in MAY[kind]:  # the forms that change them, only for who may
        packages = client.open("/dashboard/packages").text
        assert ('value="create_package"' in packages) == (CATALOG in MAY[kind]), kind
    for method, path, area in ROUTES:
        if method == "GET" and area in MAY[kind]:
            if path in ("/dashboard/customer", "/dashboard/customer/delete"):
                response = client.get(path, user=world.customer.username)
            elif path in ("/dashboard/credential", "/dashboard/credential/remove"):
                continue  # need a credential of the account: tests/web/test_credentials.py
            elif path == "/dashboard/packages/delete":
                response = client.get(path, name=world.spare_package)
            elif path == "/dashboard/ip-groups/remove":
                response = client.get(path, group=world.group)
            else:
                response = client.get(path)
            assert response.status_code == 200, (kind, path)


def test_another_tenants_customer_is_not_found(factory: Factory, web: Web) -> None:
    mine, theirs = World(factory), World(factory)
    client = web()
    client.login(mine.distributor)
    stranger = theirs.victim.username
    before = theirs.snapshot()
    client.open("/dashboard/customers")
    assert client.get("/dashboard/customer", user=stranger).status_code == 404
    assert client.get("/dashboard/customer/delete", user=stranger).status_code == 404
    for path in (
        "/dashboard/customer/profile",
        "/dashboard/customer/username",
        "/dashboard/customer/email",
        "/dashboard/customer/password",
        "/dashboard/customer/manage",
        "/dashboard/customer/delete",
        "/dashboard/customer/package",
        "/dashboard/customer/whitelabel",
        "/dashboard/customer/ip_groups",
        "/dashboard/customer/billing_date",
    ):
        response = client.post(path, theirs.form_for(path))
        assert response.status_code == 404, path
        assert problem(response) == "User not found"  # the API's words
    for method in ("enable", "disable", "website_enable", "website_disable"):
        response = client.post("/dashboard/customer/manage", {"user": stranger, "method": method})
        assert response.status_code == 404
    assert theirs.snapshot() == before


def test_another_accounts_credential_is_not_found(factory: Factory, web: Web) -> None:
    mine, theirs = World(factory), World(factory)
    client = web()
    client.login(mine.distributor)
    name = theirs.victim_credential.username
    before = theirs.snapshot()
    assert client.get("/dashboard/credential", username=name).status_code == 404
    assert client.get("/dashboard/credential/remove", username=name).status_code == 404
    client.open("/dashboard/credentials")
    for path in ("/dashboard/credential/edit", "/dashboard/credential/remove"):
        assert client.post(path, theirs.form_for(path)).status_code == 404
    assert theirs.snapshot() == before


def test_a_customers_credential_sees_its_account_read_only(factory: Factory, web: Web) -> None:
    distributor: Distributor = factory.distributor()
    customer = factory.customer(distributor, city="Zanzibar")
    credential = factory.credential(customer, web=1)
    client = web()
    client.login(credential)
    page = client.open("/dashboard/account").text
    assert customer.username in page and "Zanzibar" in page
    forms = page.count("<form")
    assert forms == 1 and 'action="/dashboard/logout"' in page  # nothing to change here


def test_unknown_pages_are_404_within_a_session_and_the_login_without(
    factory: Factory, web: Web
) -> None:
    client = web()
    response = client.get("/dashboard/no-such-page")
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/login"
    client.login(factory.distributor())
    assert client.get("/dashboard/no-such-page").status_code == 404
