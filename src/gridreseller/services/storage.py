"""What the services need of storage, in their own terms: stores of intent methods,
grouped by what they are about, and the transactions that hand them to a function.

db/ implements every one by its shape alone (Repository, UnitOfWork); bootstrap.py
passes those in, and nothing here or in the services imports db/. Each store has
only the methods some service calls. The access core's stores (identity/storage.py)
are part of them: a service's transaction may count a login or add an audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from gridreseller.domain.access import StoredLogin
from gridreseller.domain.activity import DayFigures
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.credits import SendingLimit
from gridreseller.domain.models import (
    CredentialView,
    CustomerPlan,
    CustomerRecord,
    PackageRecord,
    PackageView,
    Permissions,
)
from gridreseller.domain.records import (
    BackupCopy,
    CustomerFlag,
    CustomerRow,
    CustomerSearch,
    DistributorRecord,
    DistributorSummary,
    IpSummary,
    KeyRecord,
    NewLogin,
    PackageSummary,
    SessionRow,
)
from gridreseller.identity.storage import (
    ActivityCounter,
    AuditLog,
    SharedKeyStore,
    Transactions,
)


class LoginStore(Protocol):
    """Logins of every kind: made, found, changed."""

    def create_login(self, login: NewLogin) -> int:
        """Its id; a username someone holds is Invalid on `username`."""
        ...

    def login_by_id(self, login_id: int) -> StoredLogin | None: ...

    def username_taken(self, key: str) -> bool: ...

    def any_distributor(self) -> bool: ...

    def change_login(
        self,
        login_id: int,
        now: datetime,
        *,
        username: str | None = None,
        email: str | None = None,
        password_hash: str | None = None,
        active: bool | None = None,
    ) -> None:
        """Set what is given (a username with its comparison key, derived by the store);
        a username someone else holds is Invalid on `username`."""
        ...


class CustomerStore(Protocol):
    """A distributor's customers: found by name, their profiles and flags changed."""

    def customer_of(self, distributor_id: int, key: str) -> CustomerRecord | None:
        """A live customer of this distributor, by username key."""
        ...

    def update_profile(self, customer_id: int, changes: Mapping[str, object]) -> None:
        """Set profile fields (first_name, company, sender_domains...)."""
        ...

    def delete_customer(self, customer_id: int, now: datetime) -> None:
        """Soft: the customer and its credentials stay, their names reserved."""
        ...

    def set_customer_flag(
        self, distributor_id: int, key: str, column: CustomerFlag, value: bool, now: datetime
    ) -> bool:
        """`active` or `website_access`; False when no live customer has that name."""
        ...

    def sender_domains(self, customer_id: int) -> str:
        """The allowed sender domains as stored ("" for any sender)."""
        ...


class PlanStore(Protocol):
    """What a customer has beside its profile: package, whitelabel, IP groups and IPs."""

    def create_customer_profile(
        self,
        customer_id: int,
        profile: Mapping[str, object],
        group_ids: Iterable[int],
        ip_ids: Iterable[int],
    ) -> None: ...

    def customer_plan(self, customer_id: int) -> CustomerPlan: ...

    def replace_customer_ips(
        self, customer_id: int, group_ids: Iterable[int], ip_ids: Iterable[int]
    ) -> None:
        """The customer's IP groups and addresses become these (no others)."""
        ...


class CustomerListStore(Protocol):
    """Listed customers as rows (domain/records.py: CustomerRow), for the long lists."""

    def customer_row(self, distributor_id: int, key: str) -> list[CustomerRow]: ...

    def customer_row_by_id(self, distributor_id: int, customer_id: int) -> list[CustomerRow]: ...

    def customer_rows(
        self, distributor_id: int, *, after: str | None, offset: int, batch: int
    ) -> list[CustomerRow]:
        """Up to `batch` in username order: from `offset`, or after a username key."""
        ...

    def search_customers(
        self, distributor_id: int, search: CustomerSearch
    ) -> tuple[int, list[CustomerRow]]:
        """How many the search finds, and its page (rows with the id at ID_COLUMN)."""
        ...


class CredentialStore(Protocol):
    """An account's credentials (its extra logins)."""

    def credentials_of(self, account_id: int) -> Sequence[CredentialView]: ...

    def credential_of(self, account_id: int, key: str) -> CredentialView | None: ...

    def update_credential(
        self, credential_id: int, permissions: Permissions, password_hash: str | None, now: datetime
    ) -> None: ...

    def remove_credential(self, credential_id: int) -> None:
        """The row goes, so the name is free again."""
        ...


class CreditStore(Protocol):
    """A customer's sending limit (domain/credits.py has its rules)."""

    def sending_limit(self, customer_id: int, *, for_update: bool = False) -> SendingLimit | None:
        """As stored; locked for the transaction's rest when `for_update`."""
        ...

    def set_limit(self, customer_id: int, limit: SendingLimit, now: datetime) -> None:
        """A limit set anew: a new generation."""
        ...

    def store_limit(self, customer_id: int, limit: SendingLimit, now: datetime) -> None:
        """The limit read (and locked) before, with its remaining credits changed."""
        ...

    def remove_limit(self, customer_id: int) -> None: ...

    def give_back_credits(self, customer_id: int, count: int, generation: int) -> None:
        """Unless the limit was set anew, removed or reset since they were taken."""
        ...


class ActivityStore(ActivityCounter, Protocol):
    def activity_by_day(
        self,
        first: date,
        last: date,
        *,
        account_id: int | None = None,
        distributor_id: int | None = None,
    ) -> list[DayFigures]: ...


class CatalogStore(Protocol):
    """A distributor's packages, IP groups and IP addresses."""

    def packages_of(self, distributor_id: int) -> Sequence[PackageView]: ...

    def package_named(self, distributor_id: int, name: str) -> PackageRecord | None: ...

    def create_package(self, distributor_id: int, values: dict[str, object]) -> None: ...

    def ip_groups_named(self, distributor_id: int, names: Iterable[str]) -> dict[str, int]:
        """Group name -> id, for those of `names` that are this distributor's."""
        ...

    def ip_groups_of(self, distributor_id: int) -> list[tuple[str, list[str]]]: ...

    def create_ip_group(self, distributor_id: int, name: str) -> int: ...

    def ips_of(self, distributor_id: int, addresses: Iterable[str]) -> dict[str, int]:
        """Address -> id, for those of `addresses` in this distributor's groups."""
        ...

    def ip_group_of_address(self, address: str) -> int | None: ...

    def add_ip(self, group_id: int, address: str) -> None: ...


class OperatorStore(Protocol):
    """The operator's views over every distributor, and the deletions it checks first."""

    def distributor_named(self, key: str) -> DistributorRecord | None: ...

    def distributor_summaries(self) -> list[DistributorSummary]: ...

    def package_summaries(self, distributor_id: int | None) -> list[PackageSummary]: ...

    def ip_summaries(self, distributor_id: int | None) -> list[IpSummary]: ...

    def live_customers_on_package(self, package_id: int) -> list[str]: ...

    def live_customers_on_ips(self, ip_ids: Iterable[int]) -> list[str]: ...

    def live_customers_on_ip_group(self, group_id: int) -> list[str]: ...

    def delete_package(self, package_id: int) -> int:
        """How many deleted customers' profiles that named it went with it."""
        ...

    def delete_ips(self, ip_ids: Iterable[int]) -> None: ...

    def delete_ip_group(self, group_id: int) -> None: ...


class AuditStore(AuditLog, Protocol):
    """The audit trail: entries added, and read back newest or oldest first."""

    def audit_events(self, distributor_id: int | None, since: datetime | None) -> list[AuditEntry]:
        """Oldest first; of one tenant when given, from `since` when given."""
        ...

    def audit_page(
        self,
        distributor_id: int,
        *,
        names: Sequence[str] | None,
        action: str,
        actor: str,
        start: datetime | None,
        end: datetime | None,
        offset: int,
        limit: int,
    ) -> list[AuditEntry]:
        """Newest first: a tenant's entries, by or about `names` when given."""
        ...

    def account_names(self, account_id: int) -> list[str]:
        """The account's username and its credentials' (who acts for it)."""
        ...


class ApiKeyStore(Protocol):
    """A primary account's API keys (never their secrets)."""

    def keys_of(self, account_id: int) -> list[KeyRecord]: ...

    def key_of(self, account_id: int, key_id: str) -> KeyRecord | None:
        """Another account's key is None, like an unknown one."""
        ...

    def count_keys(self, account_id: int, *, lock: bool = False) -> int:
        """With `lock`, two concurrent creations cannot both pass the limit."""
        ...

    def add_key(
        self,
        *,
        account_id: int,
        key_id: str,
        name: str,
        scopes: Sequence[str],
        secret_hash: str,
        now: datetime,
    ) -> None: ...

    def change_key(
        self,
        account_id: int,
        key_id: str,
        now: datetime,
        *,
        name: str,
        scopes: Sequence[str] | None = None,
    ) -> bool:
        """False when the account has no such key."""
        ...

    def delete_key(self, account_id: int, key_id: str) -> bool: ...


class SessionStore(Protocol):
    """Dashboard sessions, by the SHA-256 of their token."""

    def session_by_token(self, token_hash: str) -> SessionRow | None: ...

    def open_session(
        self,
        *,
        token_hash: str,
        login_id: int,
        fingerprint: str,
        csrf_secret: str,
        client: str,
        now: datetime,
    ) -> None: ...

    def touch_session(self, session_id: int, now: datetime) -> None: ...

    def end_session(self, session_id: int) -> None: ...

    def end_session_of_token(self, token_hash: str) -> None: ...

    def keep_only_session(self, session_id: int, login_id: int, fingerprint: str) -> None:
        """This session gets the login's new fingerprint; the login's others end."""
        ...

    def forget_expired_sessions(self, idle_before: datetime, opened_before: datetime) -> None: ...


class HealthCheck(Protocol):
    def ping(self) -> None:
        """One round trip to the database; raises when it does not answer."""
        ...


class Records(
    LoginStore,
    CustomerStore,
    PlanStore,
    CustomerListStore,
    CredentialStore,
    CreditStore,
    ActivityStore,
    CatalogStore,
    OperatorStore,
    AuditStore,
    ApiKeyStore,
    SessionStore,
    SharedKeyStore,
    HealthCheck,
    Protocol,
):
    """Every store the services use, on one transaction."""


class ServiceTransactions(Transactions[Records], Protocol):
    """Transactions over the services' records, and the operator's database copy."""

    def pg_dump_url(self) -> str | None:
        """On PostgreSQL, the URL pg_dump takes (without the password); None on SQLite."""
        ...

    def copy_sqlite(self, target: Path) -> BackupCopy:
        """A consistent copy of the SQLite database, in use or not, to a new file."""
        ...
