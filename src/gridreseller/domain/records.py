"""The records that cross the storage boundary: what the stores the services and the
access core declare (services/storage.py, identity/storage.py) take and give back.

db/ builds them from its rows and imports them from here; nothing above db/ sees a
row of the database's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NamedTuple

from gridreseller.domain.access import StoredLogin
from gridreseller.domain.models import CUSTOMER_FIELDS, LoginKind, Permissions

# A listed customer as the hot list reads it: the values of CUSTOMER_FIELDS in that
# order (flags as the driver gives them: test them for truth), then the username's
# comparison key, which the next batch of a list starts after; a search's rows have
# the customer's id after that. A plain tuple: a list has 100,000 of them.
CustomerRow = tuple[Any, ...]
KEY_COLUMN = len(CUSTOMER_FIELDS)
ID_COLUMN = KEY_COLUMN + 1

# A customer's switches: sending, and logging in to the dashboard.
CustomerFlag = Literal["active", "website_access"]

# What the dashboard's customer list sorts by (the first is the default).
SORTABLE = ("username", "email", "name", "company", "package")


class CustomerSearch(NamedTuple):
    """Which customers, in which order, which slice."""

    text: str | None  # matched anywhere in username, email or company, any case
    active: bool | None
    sort: str  # one of SORTABLE
    descending: bool
    offset: int
    limit: int


class NewLogin(NamedTuple):
    """A login to create: a distributor, a customer (owned by its distributor) or a
    credential (owned by its account). Its comparison key is the store's to derive."""

    kind: LoginKind
    username: str
    password_hash: str
    now: datetime
    owner_id: int | None = None
    email: str | None = None
    permissions: Permissions | None = None  # a credential's bits


class KeyRecord(NamedTuple):
    """An API key as its account sees it: never its secret, never its hash."""

    key_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime


class KeyForAuth(NamedTuple):
    """A key as the access core checks it: its hash, its scopes, its account."""

    secret_hash: str
    scopes: frozenset[str]
    account: StoredLogin


class ThrottleFacts(NamedTuple):
    """What the throttle knows about one (account, address) attempt."""

    account_locked_until: datetime | None
    network_locked_until: datetime | None
    pair_locked_until: datetime | None
    trusted_until: datetime | None
    pair_failures: int


class LockRow(NamedTuple):
    """One throttle lock: how many times in a row it was set, and until when."""

    locks: int
    locked_until: datetime


class SessionRow(NamedTuple):
    """A dashboard session as stored (its token only as a hash, never here)."""

    id: int
    login_id: int
    fingerprint: str
    csrf_secret: str
    created_at: datetime
    last_seen_at: datetime


class DistributorRecord(NamedTuple):
    id: int
    username: str
    active: bool


class DistributorSummary(NamedTuple):
    username: str
    email: str | None
    active: bool
    customers: int


class PackageSummary(NamedTuple):
    distributor: str
    name: str
    price: Decimal
    credits: int
    overage: Decimal
    distributor_price: Decimal
    has_ip: bool
    has_reseller: bool
    customers: int


class IpSummary(NamedTuple):
    """An IP group's address (None for an empty group), with the live customers that
    have the group, and those that have the address itself."""

    distributor: str
    group: str
    group_customers: int
    address: str | None
    customers: int


@dataclass(frozen=True)
class BackupCopy:
    """A finished copy of the database: its file and how many pages it has."""

    path: Path
    pages: int
