"""Factories: distributors, packages and IPs through the operator's services,
customers and credentials through the real API."""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from gridreseller.services import operator
from gridreseller.services.context import ServiceContext

_counter = itertools.count(1)


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


class Factory:
    def __init__(self, ctx: ServiceContext, client: httpx.Client) -> None:
        self.ctx = ctx
        self.client = client

    def call(
        self, endpoint: str, fmt: str, account: Account | None, **params: Any
    ) -> httpx.Response:
        """POST one API call as `account` (urlencoded; lists become name[] values)."""
        data: list[tuple[str, str]] = list(account.auth.items()) if account else []
        for name, value in params.items():
            if isinstance(value, list | tuple):
                data.extend((f"{name}[]", str(v)) for v in value)
            elif value is not None:
                data.append((name, str(value)))
        return self.client.post(
            f"/api/{endpoint}.{fmt}",
            content=urlencode(data),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

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
        response = self.call("distributor.add", "json", distributor, **params)
        assert response.status_code == 200, response.text
        return Account(params["username"], params["password"])

    def credential(self, account: Account, **bits: int) -> Account:
        name = unique("cred")
        response = self.call(
            "credentials/add",
            "json",
            account,
            username=name,
            password="cred-secret",
            permissions=json.dumps(bits),
        )
        assert response.status_code == 200, response.text
        return Account(name, "cred-secret")

    def customers_of(self, distributor: Account, **filters: Any) -> list[dict[str, str]]:
        response = self.call(
            "distributor.manage", "json", distributor, method="profile", task="get", **filters
        )
        assert response.status_code == 200, response.text
        return list(response.json())

    def customer_row(self, distributor: Account, username: str) -> dict[str, str] | None:
        rows = self.customers_of(distributor, username=username)
        return rows[0] if rows else None
