"""Factories: rows made through the services, never the API (a test whose subject is an
API call makes that call itself, with `Factory.call`).

Distributors, packages and IPs come from the operator's services; customers and
credentials from the same operations the API runs, as a login the access core let in.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import json
import threading
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

from gridreseller.api.legacy import credentials, customers, manage
from gridreseller.api.legacy.operations import Operation, Selector
from gridreseller.api.legacy.params import Params
from gridreseller.domain.access import Purpose
from gridreseller.domain.models import CUSTOMER_FIELDS, Actor, CustomerList, Result
from gridreseller.services import operator
from gridreseller.services.context import ServiceContext

T = TypeVar("T")
_counter = itertools.count(1)
# The client address the factory's logins act from: the API calls it replaces came
# from this machine too.
CLIENT = "127.0.0.1"
CREDENTIAL_OPERATIONS = (credentials.GET, credentials.ADD, credentials.EDIT, credentials.REMOVE)


def unique(prefix: str = "u") -> str:
    return f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Account:
    username: str
    password: str

    @property
    def auth(self) -> dict[str, str]:
        return {"api_user": self.username, "api_key": self.password}


@dataclass(frozen=True)
class Distributor(Account):
    package: str


def customer_params(package: str, **overrides: str) -> dict[str, str]:
    """A complete, valid distributor.add parameter set."""
    username = overrides.pop("username", None) or unique("cust") + "@example.com"
    params = {
        "username": username,
        "password": "secret-pass",
        "confirm_password": "secret-pass",
        "email": "contact@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "address": "12 Analytical St",
        "city": "London",
        "state": "LDN",
        "zip": "N1 9GU",
        "country": "GB",
        "phone": "555-0100",
        "website": "example.com",
        "company": "Engines Ltd",
        "package": package,
        "whitelabel": "mail.example.com",
    }
    params.update(overrides)
    if "password" in overrides and "confirm_password" not in overrides:
        params["confirm_password"] = overrides["password"]
    return params


# A package with every field set, and what distributor.packages lists for it.
RICH_PACKAGE: dict[str, Any] = {
    "has_ip": True,
    "price": "9.95",
    "credits": 100,
    "overage": "0.01",
    "description": "x",
    "has_reseller": True,
    "distributor_price": "5",
}


def listed_customer(params: dict[str, str], **shown: str) -> dict[str, str]:
    """The row profile get lists (docs/api.md, distributor.manage) for a customer added with
    `params` (as made by
    `customer_params`), new (active, with website access) unless `shown` says more."""
    row = {name: params.get(name, "") for name in CUSTOMER_FIELDS}
    return {**row, "active": "true", "website_access": "true", **shown}


def form_pairs(**params: Any) -> list[tuple[str, str]]:
    """Parameters as a form sends them: lists become name[] values, None is left out."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if isinstance(value, list | tuple):
            pairs.extend((f"{name}[]", str(v)) for v in value)
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


def params_of(**params: Any) -> Params:
    """The parameter bag the API would hand an operation for the same form."""
    values: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    for name, value in form_pairs(**params):
        if name.endswith("[]"):
            arrays.setdefault(name[:-2], []).append(value)
        else:
            values[name] = value
    return Params(values=values, arrays=arrays)


_loops = threading.local()


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from synchronous test code, on an event loop this
    thread keeps (so the database's per-loop committer is made once, not per call); in
    a thread of its own when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        runner: asyncio.Runner | None = getattr(_loops, "runner", None)
        if runner is None:
            runner = _loops.runner = asyncio.Runner()
            atexit.register(runner.close)
        return runner.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Factory:
    def __init__(self, ctx: ServiceContext, client: httpx.Client | None = None) -> None:
        self.ctx = ctx
        self._client = client

    @property
    def client(self) -> httpx.Client:
        """The API's client (a factory made for service tests has none)."""
        assert self._client is not None, "this factory has no server to call"
        return self._client

    def call(
        self, endpoint: str, fmt: str, account: Account | None, **params: Any
    ) -> httpx.Response:
        """POST one API call as `account` (urlencoded; lists become name[] values)."""
        data = list(account.auth.items()) if account else []
        return self.client.post(
            f"/api/{endpoint}.{fmt}",
            content=urlencode(data + form_pairs(**params)),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    # Acting as a login, without HTTP ------------------------------------------------------

    def actor(self, account: Account, purpose: Purpose = Purpose.API_DISTRIBUTOR) -> Actor:
        """Whom `account` acts for, as the access core admits it for `purpose`."""
        login = self.ctx.identity.authenticate(account.username, account.password, CLIENT, purpose)
        return run_coroutine(login).actor

    def run(self, operation: Operation[Any] | Selector, account: Account, **params: Any) -> Result:
        """Run an operation as `account` (admitted for the API scope the operation is
        in), with the parameters an API call would carry."""
        credential_call = any(operation is op for op in CREDENTIAL_OPERATIONS)
        purpose = Purpose.API_CREDENTIALS if credential_call else Purpose.API_DISTRIBUTOR
        actor = self.actor(account, purpose)
        return run_coroutine(operation.run(self.ctx, actor, params_of(**params)))

    # Rows -------------------------------------------------------------------------------

    def distributor(
        self, *, has_ip: bool = False, password: str = "distributor-pass"
    ) -> Distributor:
        username = unique("dist")
        operator.create_distributor(self.ctx, username, password, f"{username}@example.com")
        package = unique("pkg")
        operator.create_package(
            self.ctx, username, operator.PackageSpec(name=package, has_ip=has_ip)
        )
        return Distributor(username=username, password=password, package=package)

    def package(self, distributor: Distributor, *, has_ip: bool = False, **spec: Any) -> str:
        name = unique("pkg")
        operator.create_package(
            self.ctx, distributor.username, operator.PackageSpec(name=name, has_ip=has_ip, **spec)
        )
        return name

    def ip_group(self, distributor: Distributor, *addresses: str) -> str:
        group = unique("grp")
        operator.add_ips(self.ctx, distributor.username, group, list(addresses))
        return group

    def customer(self, distributor: Distributor, **overrides: str) -> Account:
        params = customer_params(distributor.package, **overrides)
        self.run(customers.ADD, distributor, **params)
        return Account(params["username"], params["password"])

    def deleted_customer(self, distributor: Distributor) -> Account:
        """A customer of `distributor`, already deleted (docs/api.md, distributor.delete)."""
        customer = self.customer(distributor)
        self.run(customers.DELETE, distributor, user=customer.username)
        return customer

    def credential(self, account: Account, **bits: int) -> Account:
        name = unique("cred")
        params = {"username": name, "password": "cred-secret", "permissions": json.dumps(bits)}
        self.run(credentials.ADD, account, **params)
        return Account(name, "cred-secret")

    def customers_of(self, distributor: Account, **filters: Any) -> list[dict[str, str]]:
        """The customer list (profile get) as the JSON answer would carry it."""
        actor = self.actor(distributor)
        params = params_of(method="profile", task="get", **filters)
        return run_coroutine(_customer_rows(self.ctx, actor, params))

    def customer_row(self, distributor: Account, username: str) -> dict[str, str] | None:
        rows = self.customers_of(distributor, username=username)
        return rows[0] if rows else None


async def _customer_rows(ctx: ServiceContext, actor: Actor, params: Params) -> list[dict[str, str]]:
    """Every row of a customer list, its later batches read in the same event loop."""
    result = await manage.MANAGE.run(ctx, actor, params)
    assert isinstance(result, CustomerList)
    views = list(result.rows)
    if result.more is not None:
        async for batch in result.more:
            views += batch
    return [dict(zip(CUSTOMER_FIELDS, view, strict=True)) for view in views]
