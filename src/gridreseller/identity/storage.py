"""What the access core needs of storage, in its own terms: small stores of intent
methods, and the transactions that hand one to a function.

db/ implements them by their shape alone (its Repository and UnitOfWork), and the
composition root (bootstrap.py) passes those in; nothing here imports db/. The
services' stores (services/storage.py) build on these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, TypeVar

from gridreseller.domain.access import StoredLogin
from gridreseller.domain.activity import ActivityKey, Counts
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.records import KeyForAuth, LockRow, ThrottleFacts

T = TypeVar("T")
R_co = TypeVar("R_co", covariant=True)


class Transactions(Protocol[R_co]):
    """Runs a function of the records `R_co` in a transaction (db/unit_of_work.py).

    Coroutines: `run_read` (a read, never waiting for a writer) and `run_write` (a
    write, committed when the function returns, rolled back when it raises). Threads:
    the `read()` and `write()` context managers, the same in blocks."""

    async def run_read(self, look: Callable[[R_co], T]) -> T: ...

    async def run_write(self, change: Callable[[R_co], T]) -> T: ...

    def read(self) -> AbstractContextManager[R_co]: ...

    def write(self) -> AbstractContextManager[R_co]: ...


class LoginLookup(Protocol):
    """A login as the access rules judge it, with its owner's state."""

    def login_for_auth(self, key: str) -> StoredLogin | None:
        """By username key; None for a name nobody holds."""
        ...

    def login_by_id(self, login_id: int) -> StoredLogin | None: ...

    def login_attempt(
        self, attempt_account: str, address: str, lock_keys: tuple[str, str, str], key: str | None
    ) -> tuple[ThrottleFacts, StoredLogin | None]:
        """In one read: the throttle's facts for the attempt, and the login of `key`."""
        ...

    def replace_hash(self, login_id: int, old_hash: str, new_hash: str) -> bool:
        """The password hash upgraded, unless it changed since `old_hash` was read."""
        ...


class KeyLookup(Protocol):
    def key_for_auth(self, key_id: str) -> KeyForAuth | None:
        """The API key of that id with its account; None for an unknown id."""
        ...


class ThrottleStore(Protocol):
    """The login throttle's failures, locks and trusted pairs (identity/throttle.py)."""

    def throttle_facts(
        self, account: str, address: str, keys: tuple[str, str, str]
    ) -> ThrottleFacts: ...

    def add_login_failure(
        self, account: str, address: str, network: str, now: datetime
    ) -> None: ...

    def account_failures(self, account: str, since: datetime) -> int: ...

    def network_failures(self, network: str, since: datetime) -> int: ...

    def pair_failures(self, account: str, address: str, since: datetime) -> int: ...

    def throttle_lock(self, key: str) -> LockRow | None: ...

    def set_throttle_lock(self, key: str, locks: int, locked_until: datetime) -> None: ...

    def remove_throttle_lock(self, key: str) -> None: ...

    def clear_pair_failures(self, account: str, address: str) -> None: ...

    def trust_pair(self, account: str, address: str, until: datetime) -> None: ...

    def forget_throttle_before(self, failures_before: datetime, now: datetime) -> None:
        """Failures out of every window, and locks and trust that have run out."""
        ...


class AuditLog(Protocol):
    """Entries added to the audit trail (never read here)."""

    def add_audit_entry(self, entry: AuditEntry) -> None: ...

    def add_audit_entries(self, entries: list[AuditEntry]) -> None: ...


class ActivityCounter(Protocol):
    def count_activity(self, changes: Sequence[tuple[ActivityKey, Counts]]) -> None:
        """Each change's counts added to its (account, day, surface) row."""
        ...


class SharedKeyStore(Protocol):
    """Random keys every process shares, by name (identity/shared_keys.py)."""

    def shared_key_value(self, name: str) -> str | None: ...

    def add_shared_key_unless_present(self, name: str, value: str, now: datetime) -> None:
        """The first process to add a key under a name wins; the others' are dropped."""
        ...


class AccessRecords(
    LoginLookup, KeyLookup, ThrottleStore, AuditLog, ActivityCounter, SharedKeyStore, Protocol
):
    """Every store the access core uses, on one transaction."""


AccessTransactions = Transactions[AccessRecords]
