"""In-memory records: logins, customers' profiles, credentials, API keys, the audit
trail and shared keys, as plain objects; and transactions over them that keep a
write's changes only when it returns (a write that raises leaves nothing behind).

Each store here is implemented whole, and mypy holds it to its Protocol (the checks
at the end of this module)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from gridreseller.domain import rules
from gridreseller.domain.access import LoginState, Role, StoredLogin
from gridreseller.domain.activity import ActivityKey, Counts
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, Problem
from gridreseller.domain.models import CredentialView, CustomerRecord, LoginKind, Permissions
from gridreseller.domain.records import CustomerFlag, KeyRecord, NewLogin
from gridreseller.identity.storage import (
    ActivityCounter,
    AuditLog,
    SharedKeyStore,
    Transactions,
)
from gridreseller.services.storage import (
    ApiKeyStore,
    CredentialStore,
    CustomerStore,
    LoginStore,
)

T = TypeVar("T")


@dataclass
class Login:
    id: int
    kind: LoginKind
    username: str
    password_hash: str
    owner_id: int | None
    email: str | None
    permissions: Permissions
    created_at: datetime
    updated_at: datetime
    active: bool = True
    website_access: bool = True
    deleted_at: datetime | None = None
    profile: dict[str, object] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return rules.username_key(self.username)


@dataclass
class StoredKey:
    account_id: int
    record: KeyRecord
    secret_hash: str


@dataclass
class State:
    """Everything the fake holds; a write works on it and is undone if it raises."""

    logins: dict[int, Login] = field(default_factory=dict)
    keys: dict[str, StoredKey] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    activity: dict[ActivityKey, Counts] = field(default_factory=dict)
    shared_keys: dict[str, str] = field(default_factory=dict)


ROLES = {LoginKind.DISTRIBUTOR: Role.DISTRIBUTOR, LoginKind.CUSTOMER: Role.CUSTOMER}


class FakeRecords:
    """The records of one fake database (the stores checked at the end)."""

    def __init__(self, state: State | None = None) -> None:
        self.state = state or State()

    # LoginStore -----------------------------------------------------------------

    def create_login(self, login: NewLogin) -> int:
        if self.username_taken(rules.username_key(login.username)):
            raise Invalid([Problem("username", USERNAME_TAKEN)])
        login_id = len(self.state.logins) + 1
        self.state.logins[login_id] = Login(
            login_id,
            login.kind,
            login.username,
            login.password_hash,
            login.owner_id,
            login.email,
            login.permissions or Permissions(),
            login.now,
            login.now,
        )
        return login_id

    def login_by_id(self, login_id: int) -> StoredLogin | None:
        login = self.state.logins.get(login_id)
        return self._stored(login) if login else None

    def username_taken(self, key: str) -> bool:
        return any(login.key == key for login in self.state.logins.values())

    def any_distributor(self) -> bool:
        return any(login.kind is LoginKind.DISTRIBUTOR for login in self.state.logins.values())

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
        login = self.state.logins[login_id]
        if username is not None:
            if self._taken_by_other(login_id, username):
                raise Invalid([Problem("username", USERNAME_TAKEN)])
            login.username = username
        login.email = login.email if email is None else email
        login.password_hash = login.password_hash if password_hash is None else password_hash
        login.active = login.active if active is None else active
        login.updated_at = now

    # CustomerStore --------------------------------------------------------------

    def customer_of(self, distributor_id: int, key: str) -> CustomerRecord | None:
        for login in self._live(LoginKind.CUSTOMER, distributor_id):
            if login.key == key:
                email = login.email or ""
                return CustomerRecord(login.id, login.username, key, email, login.password_hash)
        return None

    def update_profile(self, customer_id: int, changes: Mapping[str, object]) -> None:
        self.state.logins[customer_id].profile.update(changes)

    def delete_customer(self, customer_id: int, now: datetime) -> None:
        customer = self.state.logins[customer_id]
        for login in [customer, *self._live(LoginKind.CREDENTIAL, customer_id)]:
            login.deleted_at = login.updated_at = now

    def set_customer_flag(
        self, distributor_id: int, key: str, column: CustomerFlag, value: bool, now: datetime
    ) -> bool:
        found = self.customer_of(distributor_id, key)
        if found is None:
            return False
        login = self.state.logins[found.id]
        setattr(login, column, value)  # active or website_access
        login.updated_at = now
        return True

    def sender_domains(self, customer_id: int) -> str:
        return str(self.state.logins[customer_id].profile.get("sender_domains") or "")

    # CredentialStore ------------------------------------------------------------

    def credentials_of(self, account_id: int) -> Sequence[CredentialView]:
        return [self._credential(login) for login in self._live(LoginKind.CREDENTIAL, account_id)]

    def credential_of(self, account_id: int, key: str) -> CredentialView | None:
        found = [c for c in self._live(LoginKind.CREDENTIAL, account_id) if c.key == key]
        return self._credential(found[0]) if found else None

    def update_credential(
        self, credential_id: int, permissions: Permissions, password_hash: str | None, now: datetime
    ) -> None:
        credential = self.state.logins[credential_id]
        credential.permissions, credential.updated_at = permissions, now
        if password_hash is not None:
            credential.password_hash = password_hash

    def remove_credential(self, credential_id: int) -> None:
        del self.state.logins[credential_id]

    # ApiKeyStore ----------------------------------------------------------------

    def keys_of(self, account_id: int) -> list[KeyRecord]:
        mine = [key for key in self.state.keys.values() if key.account_id == account_id]
        return [key.record for key in sorted(mine, key=lambda k: k.record.created_at)]

    def key_of(self, account_id: int, key_id: str) -> KeyRecord | None:
        stored = self.state.keys.get(key_id)
        return stored.record if stored and stored.account_id == account_id else None

    def count_keys(self, account_id: int, *, lock: bool = False) -> int:
        return len(self.keys_of(account_id))  # one writer at a time: nothing to lock

    def add_key(
        self,
        *,
        account_id: int,
        key_id: str,
        name: str,
        scopes: Sequence[str],
        secret_hash: str,
        now: datetime,
    ) -> None:
        record = KeyRecord(key_id, name, tuple(scopes), now)
        self.state.keys[key_id] = StoredKey(account_id, record, secret_hash)

    def change_key(
        self,
        account_id: int,
        key_id: str,
        now: datetime,
        *,
        name: str,
        scopes: Sequence[str] | None = None,
    ) -> bool:
        record = self.key_of(account_id, key_id)
        if record is None:
            return False
        changed = record._replace(
            name=name, scopes=record.scopes if scopes is None else tuple(scopes)
        )
        self.state.keys[key_id].record = changed
        return True

    def delete_key(self, account_id: int, key_id: str) -> bool:
        if self.key_of(account_id, key_id) is None:
            return False
        del self.state.keys[key_id]
        return True

    def secret_hash_of(self, key_id: str) -> str:
        """What the fake stored of a key (the tests' view; no store offers it)."""
        return self.state.keys[key_id].secret_hash

    # AuditLog, ActivityCounter, SharedKeyStore ----------------------------------

    def add_audit_entry(self, entry: AuditEntry) -> None:
        self.state.audit.append(entry)

    def add_audit_entries(self, entries: list[AuditEntry]) -> None:
        self.state.audit.extend(entries)

    def count_activity(self, changes: Sequence[tuple[ActivityKey, Counts]]) -> None:
        for key, counts in changes:
            self.state.activity[key] = self.state.activity.get(key, Counts()).plus(counts)

    def shared_key_value(self, name: str) -> str | None:
        return self.state.shared_keys.get(name)

    def add_shared_key_unless_present(self, name: str, value: str, now: datetime) -> None:
        self.state.shared_keys.setdefault(name, value)

    # ----------------------------------------------------------------------------

    def _live(self, kind: LoginKind, owner_id: int) -> list[Login]:
        return [
            login
            for login in self.state.logins.values()
            if login.kind is kind and login.owner_id == owner_id and login.deleted_at is None
        ]

    def _taken_by_other(self, login_id: int, username: str) -> bool:
        key = rules.username_key(username)
        return any(o.key == key for o in self.state.logins.values() if o.id != login_id)

    @staticmethod
    def _credential(login: Login) -> CredentialView:
        return CredentialView(
            login.id, login.username, login.permissions, login.created_at, login.updated_at
        )

    def _stored(self, login: Login) -> StoredLogin:
        owner = self.state.logins.get(login.owner_id) if login.owner_id else None
        if login.kind is LoginKind.CREDENTIAL:
            assert owner is not None
            on_customer = owner.kind is LoginKind.CUSTOMER
            role = Role.CUSTOMER_CREDENTIAL if on_customer else Role.DISTRIBUTOR_CREDENTIAL
            flags, account = owner, owner
        else:
            role, flags, account = ROLES[login.kind], login, login
        tenant = account.owner_id if account.kind is LoginKind.CUSTOMER else account.id
        state = LoginState(
            role,
            login.permissions,
            distributor_disabled=account.kind is LoginKind.DISTRIBUTOR and not flags.active,
            customer_active=flags.active,
            customer_website_access=flags.website_access,
        )
        live = login.deleted_at is None and account.deleted_at is None
        return StoredLogin(
            login.id,
            login.username,
            login.key,
            login.password_hash,
            live,
            state,
            account.id,
            tenant if tenant is not None else account.id,
        )


class FakeTransactions:
    """Transactions over one FakeRecords: reads see it as it is; a write changes it
    only when it returns."""

    def __init__(self, records: FakeRecords | None = None) -> None:
        self.records = records or FakeRecords()
        self.writes = 0

    async def run_read(self, look: Callable[[FakeRecords], T]) -> T:
        return look(self.records)

    async def run_write(self, change: Callable[[FakeRecords], T]) -> T:
        with self.write() as records:
            return change(records)

    def read(self) -> AbstractContextManager[FakeRecords]:
        return self._reading()

    def write(self) -> AbstractContextManager[FakeRecords]:
        return self._writing()

    @contextmanager
    def _reading(self) -> Iterator[FakeRecords]:
        yield self.records

    @contextmanager
    def _writing(self) -> Iterator[FakeRecords]:
        kept = copy.deepcopy(self.records.state)
        try:
            yield self.records
        except BaseException:
            self.records.state = kept
            raise
        self.writes += 1


def _holds_to_its_protocols(records: FakeRecords, transactions: FakeTransactions) -> None:
    """Never called: mypy checks here that the fake is each store it claims to be."""
    stores: tuple[
        LoginStore,
        CustomerStore,
        CredentialStore,
        ApiKeyStore,
        AuditLog,
        ActivityCounter,
        SharedKeyStore,
    ] = (records, records, records, records, records, records, records)
    transacting: Transactions[FakeRecords] = transactions
    del stores, transacting
