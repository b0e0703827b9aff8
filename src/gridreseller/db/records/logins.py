"""Logins of every kind: the access core's lookup, and the changes a login undergoes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, exists, literal_column, select, update
from sqlalchemy.exc import IntegrityError

from gridreseller.db.records.tables import USERNAME_CONSTRAINT, logins, owners
from gridreseller.db.statements import execute, with_driver_values
from gridreseller.db.throttle_store import FACT_COLUMNS, ThrottleFacts, fact_values, facts_of
from gridreseller.domain.access import LoginState, Role, StoredLogin
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, Problem
from gridreseller.domain.models import LoginKind, Permissions
from gridreseller.domain.records import NewLogin
from gridreseller.domain.rules import username_key

# Everything the access rules need about a login and its owner, in one indexed lookup.
_LOGIN_WITH_OWNER = select(
    logins.c.id,
    logins.c.kind,
    logins.c.username,
    logins.c.username_key,
    logins.c.password_hash,
    logins.c.deleted_at,
    logins.c.owner_id,
    logins.c.active,
    logins.c.website_access,
    logins.c.perm_email,
    logins.c.perm_web,
    logins.c.perm_api,
    owners.c.kind.label("owner_kind"),
    owners.c.deleted_at.label("owner_deleted_at"),
    owners.c.owner_id.label("owner_owner_id"),
    owners.c.active.label("owner_active"),
    owners.c.website_access.label("owner_website_access"),
).select_from(logins.outerjoin(owners, owners.c.id == logins.c.owner_id))
# What stored_login reads, for lookups that reach a login from elsewhere (an API key).
LOGIN_COLUMNS = _LOGIN_WITH_OWNER.selected_columns
# Read on every call and only through stored_login, which tests truth and None.
LOGIN_FOR_AUTH = with_driver_values(
    _LOGIN_WITH_OWNER.where(logins.c.username_key == bindparam("key"))
)
LOGIN_BY_ID = with_driver_values(_LOGIN_WITH_OWNER.where(logins.c.id == bindparam("login_id")))
# A login attempt's one read: the throttle's state for (account, address), then the
# login's row if the username exists (an outer join from a row that always does).
_ALWAYS = select(literal_column("1").label("one")).subquery("always")
LOGIN_ATTEMPT = select(*FACT_COLUMNS, *_LOGIN_WITH_OWNER.selected_columns).select_from(
    _ALWAYS.outerjoin(logins, logins.c.username_key == bindparam("key")).outerjoin(
        owners, owners.c.id == logins.c.owner_id
    )
)
FACT_COUNT = len(FACT_COLUMNS)


class LoginRow(NamedTuple):
    """A row of LOGIN_FOR_AUTH, in its column order (a unit test holds them equal)."""

    id: int
    kind: str
    username: str
    username_key: str
    password_hash: str
    deleted_at: object
    owner_id: int | None
    active: bool
    website_access: bool
    perm_email: int
    perm_web: int
    perm_api: int
    owner_kind: str | None
    owner_deleted_at: object
    owner_owner_id: int | None
    owner_active: bool | None
    owner_website_access: bool | None


def stored_login(row: Sequence[Any]) -> StoredLogin:
    """A row of LOGIN_WITH_OWNER, in LoginRow's order, as the access core's record (by
    position, not through LoginRow: one is made on every authenticated call)."""
    (
        login_id,
        kind,
        username,
        username_key,
        password_hash,
        deleted_at,
        owner_id,
        active,
        website_access,
        perm_email,
        perm_web,
        perm_api,
        owner_kind,
        owner_deleted_at,
        owner_owner_id,
        owner_active,
        owner_website_access,
    ) = row
    role = ROLES[(kind, owner_kind)] if kind == CREDENTIAL else ROLES[(kind, None)]
    on_owner = kind == CREDENTIAL
    # The flags that matter sit on the customer (a customer's credential: its owner)
    # and on the distributor (a distributor's credential: its owner).
    if on_owner:
        active, website_access = bool(owner_active), bool(owner_website_access)
    state = LoginState(
        role,
        Permissions(perm_email, perm_web, perm_api),
        distributor_disabled=role in ON_DISTRIBUTOR and not active,
        customer_active=bool(active),
        customer_website_access=bool(website_access),
    )
    # A customer's credential dies with its customer; a customer lives on its own row.
    live = deleted_at is None and (not on_owner or owner_deleted_at is None)
    account = owner_id if on_owner and owner_id is not None else login_id
    tenant = tenant_of(role, login_id, owner_id, owner_owner_id)
    return StoredLogin(
        login_id, username, username_key, password_hash, live, state, account, tenant
    )


CREDENTIAL = LoginKind.CREDENTIAL.value
ROLES: dict[tuple[str, str | None], Role] = {
    (LoginKind.DISTRIBUTOR.value, None): Role.DISTRIBUTOR,
    (LoginKind.CUSTOMER.value, None): Role.CUSTOMER,
    (CREDENTIAL, LoginKind.DISTRIBUTOR.value): Role.DISTRIBUTOR_CREDENTIAL,
    (CREDENTIAL, LoginKind.CUSTOMER.value): Role.CUSTOMER_CREDENTIAL,
    (CREDENTIAL, None): Role.DISTRIBUTOR_CREDENTIAL,
}
ON_DISTRIBUTOR = frozenset({Role.DISTRIBUTOR, Role.DISTRIBUTOR_CREDENTIAL})


def tenant_of(role: Role, login_id: int, owner_id: int | None, owner_owner: int | None) -> int:
    """The distributor a login belongs to (for a customer's credential, two levels up)."""
    if role is Role.DISTRIBUTOR or owner_id is None:
        return login_id
    if role is Role.CUSTOMER_CREDENTIAL and owner_owner is not None:
        return owner_owner
    return owner_id


def is_username_conflict(error: IntegrityError) -> bool:
    """Only the unique constraint on login names means "taken"; any other integrity
    error is a bug and stays one."""
    diagnostics = getattr(error.orig, "diag", None)
    if diagnostics is not None:  # PostgreSQL names the constraint
        return getattr(diagnostics, "constraint_name", None) == USERNAME_CONSTRAINT
    return "logins.username_key" in str(error.orig)  # SQLite names the column


@contextmanager
def username_guard() -> Iterator[None]:
    """A statement that would take a username another login holds: 400 on `username`."""
    try:
        yield
    except IntegrityError as error:
        if is_username_conflict(error):
            raise Invalid([Problem("username", USERNAME_TAKEN)]) from None
        raise


class LoginRecords:
    connection: Connection

    def login_for_auth(self, key: str) -> StoredLogin | None:
        """The login and its owner's kind and status, in one indexed lookup."""
        rows = execute(self.connection, LOGIN_FOR_AUTH, key=key).rows
        return stored_login(rows[0]) if rows else None

    def login_attempt(
        self, attempt_account: str, address: str, lock_keys: tuple[str, str, str], key: str | None
    ) -> tuple[ThrottleFacts, StoredLogin | None]:
        """The throttle's facts for this attempt, and the login of `key` if there is one."""
        values = fact_values(attempt_account, address, lock_keys)
        row = execute(self.connection, LOGIN_ATTEMPT, key=key or "", **values).rows[0]
        found = row[FACT_COUNT] is not None
        login = stored_login(row[FACT_COUNT:]) if found else None
        return facts_of(row), login

    def login_by_id(self, login_id: int) -> StoredLogin | None:
        rows = execute(self.connection, LOGIN_BY_ID, login_id=login_id).rows
        return stored_login(rows[0]) if rows else None

    def username_taken(self, key: str) -> bool:
        query = select(exists().where(logins.c.username_key == key))
        return bool(self.connection.execute(query).scalar())

    def any_distributor(self) -> bool:
        query = select(exists().where(logins.c.kind == LoginKind.DISTRIBUTOR.value))
        return bool(self.connection.execute(query).scalar())

    def distributor_id(self, key: str) -> int | None:
        query = select(logins.c.id).where(
            logins.c.username_key == key, logins.c.kind == LoginKind.DISTRIBUTOR.value
        )
        return self.connection.execute(query).scalar()

    def create_login(self, login: NewLogin) -> int:
        """A new login row; its id. A taken username is a 400 on `username`."""
        values: dict[str, object] = {
            "kind": login.kind.value,
            "username": login.username,
            "username_key": username_key(login.username),
            "password_hash": login.password_hash,
            "owner_id": login.owner_id,
            "email": login.email,
            "created_at": login.now,
            "updated_at": login.now,
        }
        if login.permissions is not None:
            bits = login.permissions
            values.update(perm_email=bits.email, perm_web=bits.web, perm_api=bits.api)
        with username_guard():
            result = self.connection.execute(logins.insert().values(**values))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

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
        """Set what is given of one login (a new username with its comparison key); with
        nothing given, only when it last changed. A taken username: 400 on `username`."""
        values: dict[str, object] = {"updated_at": now}
        if username is not None:
            values.update(username=username, username_key=username_key(username))
        given = {"email": email, "password_hash": password_hash, "active": active}
        values.update({name: value for name, value in given.items() if value is not None})
        statement = update(logins).where(logins.c.id == login_id)
        with username_guard():
            self.connection.execute(statement.values(values))

    def replace_hash(self, login_id: int, old_hash: str, new_hash: str) -> bool:
        result = self.connection.execute(
            update(logins)
            .where(logins.c.id == login_id, logins.c.password_hash == old_hash)
            .values(password_hash=new_hash)
        )
        return bool(result.rowcount)
