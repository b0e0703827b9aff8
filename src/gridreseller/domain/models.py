"""What the services hand to renderers: plain, immutable records."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from gridreseller.domain.credits import SendingLimit


class Surface(enum.StrEnum):
    """A way into gridreseller; audit entries name the one a change came through."""

    __hash__ = str.__hash__  # Enum's own is Python code; a string's is cached

    API = "api"
    SMTP = "smtp"
    DASHBOARD = "dashboard"
    CLI = "cli"


class LoginKind(enum.StrEnum):
    DISTRIBUTOR = "distributor"
    CUSTOMER = "customer"
    CREDENTIAL = "credential"


class Actor(NamedTuple):
    """The account a call acts for, the login that made it, from where, in which tenant
    (a named tuple: one is made on every authenticated call)."""

    account_id: int
    account_kind: LoginKind
    login_username: str
    client: str = "-"
    tenant_id: int | None = None
    surface: Surface = Surface.API


class Permissions(NamedTuple):
    """A credential's bits: SMTP (`email`), dashboard (`web`), API (`api`). (A named
    tuple: one is made on every authenticated call.)"""

    email: int = 0
    web: int = 0
    api: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"email": self.email, "web": self.web, "api": self.api}


# Field order of a listed customer, as docs/api.md gives it.
CUSTOMER_FIELDS = (
    "username",
    "email",
    "active",
    "first_name",
    "last_name",
    "address",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "website",
    "company",
    "package",
    "website_access",
    # Not in the legacy list: the allowed sender domains, comma-separated ("" for any).
    "sender_domains",
)


# One row of `distributor.manage` profile get: its values in CUSTOMER_FIELDS order,
# every one a string. A plain tuple: a whole list has 100,000 of them.
CustomerView = tuple[str, ...]


@dataclass(frozen=True)
class CustomerList:
    """The first rows (often all), and any further batches, pulled while the answer
    is sent: a long list is never all in memory."""

    rows: list[CustomerView]
    more: AsyncIterator[list[CustomerView]] | None = None


@dataclass(frozen=True)
class PackageView:
    name: str
    price: Decimal
    description: str
    credits: int
    overage: Decimal
    has_reseller: bool
    has_ip: bool
    distributor_price: Decimal


@dataclass(frozen=True)
class PackageList:
    packages: list[PackageView]


@dataclass(frozen=True)
class CredentialView:
    id: int
    name: str
    permissions: Permissions
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CredentialList:
    credentials: list[CredentialView]


class CustomerRecord(NamedTuple):
    """A live customer's login, as the services act on it."""

    id: int
    username: str
    username_key: str
    email: str
    password_hash: str


class PackageRecord(NamedTuple):
    id: int
    name: str
    has_ip: bool


class CustomerPlan(NamedTuple):
    """What distributor.add set beside the profile: the customer's package (and whether
    it includes IP addresses), whitelabel, IP groups and addresses, billing date."""

    package: str
    has_ip: bool
    whitelabel: str
    ip_groups: tuple[str, ...]
    ips: tuple[str, ...]
    billing_date: date | None


@dataclass(frozen=True)
class CreditsView:
    """A customer's sending limit (`distributor.manage method=limit task=retrieve`);
    None: no limit."""

    limit: SendingLimit | None


@dataclass(frozen=True)
class IpGroupView:
    """One of a distributor's IP groups: the choices of a new customer's `ip_group[]`."""

    name: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class AccountView:
    """A customer's own account as its logins see it (docs/dashboard.md's read-only view)."""

    username: str
    email: str
    active: bool
    website_access: bool
    package: str
    profile: tuple[tuple[str, str], ...]  # (field, value) in CUSTOMER_FIELDS order


@dataclass(frozen=True)
class Success:
    """The plain success envelope."""


Result = Success | CustomerList | PackageList | CredentialList | CredentialView | CreditsView
