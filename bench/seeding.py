"""The benchmark's accounts: a distributor, a package and many customers seeded in bulk,
and the few customers made through the API (read, write and login users)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Connection, create_engine, func, insert, select

from gridreseller.bootstrap import build_container
from gridreseller.config import Settings
from gridreseller.db.engine import WRITE_OPTION
from gridreseller.db.tables import CustomerProfile, Login, Package
from gridreseller.domain.models import LoginKind
from gridreseller.services import operator
from gridreseller.services.context import utc_now

DISTRIBUTOR = "bench-distributor"
DISTRIBUTOR_PASSWORD = "bench-distributor-pass"  # noqa: S105 - a throwaway benchmark database
PACKAGE = "bench-basic"
SEEDED_PASSWORD = "seeded-customer-pass"  # noqa: S105
READ_USER = "bench-read@example.com"
WRITE_USER = "bench-write@example.com"
LOGIN_USERS = 15
SEED_BATCH = 10_000


def seed(database_url: str, customers: int) -> None:
    """Distributor and package through the operator's services, customers in bulk
    (all sharing one precomputed hash, so seeding takes seconds)."""
    container = build_container(Settings(database_url=database_url)).migrate()
    ctx = container.services
    try:
        operator.create_distributor(ctx, DISTRIBUTOR, DISTRIBUTOR_PASSWORD, "bench@example.com")
        operator.create_package(ctx, DISTRIBUTOR, operator.PackageSpec(name=PACKAGE))
        password_hash = ctx.passwords.hash(SEEDED_PASSWORD)
        writer = container.uow.engine.execution_options(**{WRITE_OPTION: True})
        with writer.begin() as connection:
            _insert_customers(connection, customers, password_hash)
    finally:
        container.close()


def hash_parameters(database_url: str, username: str) -> str:
    """The argon2 variant and cost stored for a login (never the salt or the hash)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                select(Login.password_hash).where(Login.username_key == username)
            ).scalar_one()
    finally:
        engine.dispose()
    return "$".join(stored.split("$")[1:4])


def _insert_customers(connection: Connection, customers: int, password_hash: str) -> None:
    distributor_id = connection.execute(
        select(Login.id).where(Login.username_key == DISTRIBUTOR)
    ).scalar_one()
    package_id = connection.execute(
        select(Package.id).where(Package.distributor_id == distributor_id)
    ).scalar_one()
    first_id = connection.execute(select(func.max(Login.id))).scalar_one() + 1
    for start in range(0, customers, SEED_BATCH):
        numbers = range(start + 1, min(start + SEED_BATCH, customers) + 1)
        ids = [first_id + n - 1 for n in numbers]
        logins = [
            _login_row(i, n, distributor_id, password_hash)
            for i, n in zip(ids, numbers, strict=True)
        ]
        connection.execute(insert(Login), logins)
        profiles = [_profile_row(i, n, package_id) for i, n in zip(ids, numbers, strict=True)]
        connection.execute(insert(CustomerProfile), profiles)


def _login_row(login_id: int, n: int, owner_id: int, password_hash: str) -> dict[str, Any]:
    username = f"c{n:06d}@example.com"
    now = utc_now()
    return {
        "id": login_id,
        "kind": LoginKind.CUSTOMER.value,
        "username": username,
        "username_key": username,
        "password_hash": password_hash,
        "owner_id": owner_id,
        "email": username,
        "active": True,
        "website_access": True,
        "perm_email": 0,
        "perm_web": 0,
        "perm_api": 0,
        "deleted_at": None,
        "created_at": now,
        "updated_at": now,
    }


def _profile_row(login_id: int, n: int, package_id: int) -> dict[str, Any]:
    return {
        "login_id": login_id,
        "first_name": f"First{n}",
        "last_name": "Customer",
        "address": f"{n} Main Street",
        "city": "Springfield",
        "state": "IL",
        "zip": "62701",
        "country": "US",
        "phone": "555-0100",
        "website": "example.com",
        "company": f"Company {n}",
        "whitelabel": "mail.example.com",
        "package_id": package_id,
        "free_user": False,
        "billing_date": None,
    }


# Through the API ---------------------------------------------------------------------


def auth() -> dict[str, str]:
    return {"api_user": DISTRIBUTOR, "api_key": DISTRIBUTOR_PASSWORD}


def customer_form(username: str, password: str) -> dict[str, str]:
    return {
        **auth(),
        "username": username,
        "password": password,
        "confirm_password": password,
        "email": username,
        "first_name": "Bench",
        "last_name": "Customer",
        "address": "1 Main Street",
        "city": "Springfield",
        "state": "IL",
        "zip": "62701",
        "country": "US",
        "phone": "555-0100",
        "website": "example.com",
        "company": "Bench Co",
        "package": PACKAGE,
        "whitelabel": "mail.example.com",
    }


def login_users() -> list[tuple[str, str]]:
    return [(f"login{n:02d}@example.com", f"login-pass-{n:02d}") for n in range(LOGIN_USERS)]


def add_api_customers(client: httpx.Client) -> None:
    """The read, write and login customers, through distributor.add."""
    users = [(READ_USER, "read-pass"), (WRITE_USER, "write-pass"), *login_users()]
    for username, password in users:
        response = client.post("/api/distributor.add.json", data=customer_form(username, password))
        if response.status_code != 200:
            raise RuntimeError(f"distributor.add {username}: {response.status_code}")
