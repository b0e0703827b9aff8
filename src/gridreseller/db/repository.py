"""Queries over one session. Repositories read and stage changes; they never commit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Connection, Table, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.session import JoinTransactionMode

from gridreseller.db.statements import DriverRow, execute, stream
from gridreseller.db.tables import (
    AuditEvent,
    CustomerIp,
    CustomerIpGroup,
    CustomerProfile,
    IpAddress,
    IpGroup,
    Login,
    Package,
)
from gridreseller.domain.access import LoginState, Role, StoredLogin
from gridreseller.domain.audit import AuditEntry
from gridreseller.domain.models import LoginKind, Permissions
from gridreseller.domain.rules import username_key

# The hot paths (login, listing, flag changes, audit rows) are Core statements
# built once and run on the driver (see statements.py).
_logins = cast(Table, Login.__table__)
_owners = _logins.alias("owners")
_profiles = cast(Table, CustomerProfile.__table__)
_packages = cast(Table, Package.__table__)
_audit = cast(Table, AuditEvent.__table__)

# Everything the access rules need about a login and its owner, in one indexed lookup.
_LOGIN_WITH_OWNER = select(
    _logins.c.id,
    _logins.c.kind,
    _logins.c.username,
    _logins.c.username_key,
    _logins.c.password_hash,
    _logins.c.deleted_at,
    _logins.c.owner_id,
    _logins.c.active,
    _logins.c.website_access,
    _logins.c.perm_email,
    _logins.c.perm_web,
    _logins.c.perm_api,
    _owners.c.kind.label("owner_kind"),
    _owners.c.deleted_at.label("owner_deleted_at"),
    _owners.c.owner_id.label("owner_owner_id"),
    _owners.c.active.label("owner_active"),
    _owners.c.website_access.label("owner_website_access"),
).select_from(_logins.outerjoin(_owners, _owners.c.id == _logins.c.owner_id))
LOGIN_FOR_AUTH = _LOGIN_WITH_OWNER.where(_logins.c.username_key == bindparam("key"))
LOGIN_BY_ID = _LOGIN_WITH_OWNER.where(_logins.c.id == bindparam("login_id"))

_LIVE_CUSTOMERS_OF = (
    _logins.c.owner_id == bindparam("distributor_id"),
    _logins.c.kind == LoginKind.CUSTOMER.value,
    _logins.c.deleted_at.is_(None),
)

# Columns in the order of a listed customer (domain.models.CUSTOMER_FIELDS).
CUSTOMER_LIST = (
    select(
        _logins.c.username,
        _logins.c.email,
        _logins.c.active,
        _profiles.c.first_name,
        _profiles.c.last_name,
        _profiles.c.address,
        _profiles.c.city,
        _profiles.c.state,
        _profiles.c.zip,
        _profiles.c.country,
        _profiles.c.phone,
        _profiles.c.website,
        _profiles.c.company,
        _packages.c.name.label("package"),
        _logins.c.website_access,
    )
    .select_from(
        _logins.join(_profiles, _profiles.c.login_id == _logins.c.id).join(
            _packages, _packages.c.id == _profiles.c.package_id
        )
    )
    .where(*_LIVE_CUSTOMERS_OF)
    .order_by(_logins.c.username_key)
)
CUSTOMER_LIST_ONE = CUSTOMER_LIST.where(_logins.c.username_key == bindparam("key"))
CUSTOMER_LIST_BY_ID = CUSTOMER_LIST.where(_logins.c.id == bindparam("customer_id"))
CUSTOMER_LIST_FROM = CUSTOMER_LIST.offset(bindparam("offset"))
CUSTOMER_LIST_PAGE = CUSTOMER_LIST_FROM.limit(bindparam("limit"))

SET_FLAG = {
    column: update(_logins)
    .where(*_LIVE_CUSTOMERS_OF, _logins.c.username_key == bindparam("key"))
    .values({column: bindparam("value"), "updated_at": bindparam("now")})
    for column in ("active", "website_access")
}

AUDIT_INSERT = insert(_audit).values(
    {
        name: bindparam(name)
        for name in (
            "occurred_at",
            "distributor_id",
            "actor",
            "client",
            "surface",
            "action",
            "target",
            "details",
        )
    }
)

CustomerRow = DriverRow


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

    def stored_login(self) -> StoredLogin:
        role = _role(self.kind, self.owner_kind)
        # The flags that matter sit on the customer (a customer's credential: its owner)
        # and on the distributor (a distributor's credential: its owner).
        on_owner = role.is_credential
        active = bool(self.owner_active if on_owner else self.active)
        website_access = bool(self.owner_website_access if on_owner else self.website_access)
        on_distributor = role in (Role.DISTRIBUTOR, Role.DISTRIBUTOR_CREDENTIAL)
        state = LoginState(
            role,
            Permissions(self.perm_email, self.perm_web, self.perm_api),
            distributor_disabled=on_distributor and not active,
            customer_active=active,
            customer_website_access=website_access,
        )
        # A customer's credential dies with its customer; a customer lives on its own row.
        owner_live = not role.is_credential or self.owner_deleted_at is None
        return StoredLogin(
            self.id,
            self.username,
            self.username_key,
            self.password_hash,
            self.deleted_at is None and owner_live,
            state,
            self.owner_id if role.is_credential and self.owner_id is not None else self.id,
            _tenant(role, self.id, self.owner_id, self.owner_owner_id),
        )


def _role(kind: str, owner_kind: str | None) -> Role:
    if kind == LoginKind.CREDENTIAL.value:
        on_customer = owner_kind == LoginKind.CUSTOMER.value
        return Role.CUSTOMER_CREDENTIAL if on_customer else Role.DISTRIBUTOR_CREDENTIAL
    return Role.DISTRIBUTOR if kind == LoginKind.DISTRIBUTOR.value else Role.CUSTOMER


def _tenant(role: Role, login_id: int, owner_id: int | None, owner_owner: int | None) -> int:
    """The distributor a login belongs to (for a customer's credential, two levels up)."""
    if role is Role.DISTRIBUTOR or owner_id is None:
        return login_id
    if role is Role.CUSTOMER_CREDENTIAL and owner_owner is not None:
        return owner_owner
    return owner_id


CREDENTIALS_OF = (
    select(Login)
    .where(
        Login.owner_id == bindparam("account_id"),
        Login.kind == LoginKind.CREDENTIAL.value,
        Login.deleted_at.is_(None),
    )
    .order_by(Login.id)
)


class Repository:
    """Core queries on `connection`; ORM work on a session bound to it, made on first use."""

    def __init__(
        self, connection: Connection, session: Session | None = None, *, nested: bool = False
    ) -> None:
        self.connection = connection
        self._session = session
        # Inside a group commit's transaction a session keeps to a savepoint.
        self._join: JoinTransactionMode = "create_savepoint" if nested else "conditional_savepoint"

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(
                bind=self.connection,
                autoflush=False,
                expire_on_commit=False,
                join_transaction_mode=self._join,
            )
        return self._session

    def finish(self) -> None:
        """Write what the ORM staged (into the enclosing transaction)."""
        if self._session is not None:
            self._session.commit()
            self._session.close()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def add(self, row: object) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def delete(self, row: object) -> None:
        self.session.delete(row)

    # Logins -----------------------------------------------------------------

    def login_by_key(self, key: str) -> Login | None:
        return self.session.scalar(select(Login).where(Login.username_key == key))

    def username_taken(self, key: str) -> bool:
        return bool(self.session.scalar(select(exists().where(Login.username_key == key))))

    def any_distributor(self) -> bool:
        query = exists().where(Login.kind == LoginKind.DISTRIBUTOR.value)
        return bool(self.session.scalar(select(query)))

    def distributor(self, username: str) -> Login | None:
        login = self.login_by_key(username_key(username))
        return login if login and login.kind == LoginKind.DISTRIBUTOR.value else None

    def customer_of(self, distributor_id: int, username: str) -> Login | None:
        """A live customer of this distributor, by username (any case)."""
        return self.session.scalar(
            select(Login).where(
                Login.owner_id == distributor_id,
                Login.kind == LoginKind.CUSTOMER.value,
                Login.username_key == username_key(username),
                Login.deleted_at.is_(None),
            )
        )

    def profile(self, customer_id: int) -> CustomerProfile:
        profile = self.session.get(CustomerProfile, customer_id)
        if profile is None:
            raise LookupError(f"customer {customer_id} has no profile")
        return profile

    # Credentials ------------------------------------------------------------

    def credentials_of(self, account_id: int) -> Sequence[Login]:
        return self.session.scalars(CREDENTIALS_OF, {"account_id": account_id}).all()

    def credential_of(self, account_id: int, username: str) -> Login | None:
        return self.session.scalar(
            select(Login).where(
                Login.owner_id == account_id,
                Login.kind == LoginKind.CREDENTIAL.value,
                Login.username_key == username_key(username),
                Login.deleted_at.is_(None),
            )
        )

    def retire_credentials_of(self, account_id: int, when: datetime) -> None:
        for credential in self.credentials_of(account_id):
            credential.deleted_at = when
            credential.updated_at = when

    # Packages and IPs -------------------------------------------------------

    def packages_of(self, distributor_id: int) -> Sequence[Package]:
        return self.session.scalars(
            select(Package).where(Package.distributor_id == distributor_id).order_by(Package.name)
        ).all()

    def package_named(self, distributor_id: int, name: str) -> Package | None:
        return self.session.scalar(
            select(Package).where(Package.distributor_id == distributor_id, Package.name == name)
        )

    def ip_groups_named(self, distributor_id: int, names: Iterable[str]) -> dict[str, IpGroup]:
        rows = self.session.scalars(
            select(IpGroup).where(
                IpGroup.distributor_id == distributor_id, IpGroup.name.in_(list(names))
            )
        )
        return {group.name: group for group in rows}

    def ip_group(self, distributor_id: int, name: str) -> IpGroup | None:
        return self.ip_groups_named(distributor_id, [name]).get(name)

    def ips_of(self, distributor_id: int, addresses: Iterable[str]) -> dict[str, IpAddress]:
        rows = self.session.scalars(
            select(IpAddress)
            .join(IpGroup, IpGroup.id == IpAddress.group_id)
            .where(IpGroup.distributor_id == distributor_id, IpAddress.address.in_(list(addresses)))
        )
        return {ip.address: ip for ip in rows}

    def ip_groups_of(self, distributor_id: int) -> list[tuple[str, list[str]]]:
        """Every IP group of this distributor with its addresses, groups in name order."""
        rows = self.session.execute(
            select(IpGroup.name, IpAddress.address)
            .outerjoin(IpAddress, IpAddress.group_id == IpGroup.id)
            .where(IpGroup.distributor_id == distributor_id)
            .order_by(IpGroup.name, IpAddress.address)
        )
        groups: dict[str, list[str]] = {}
        for name, address in rows:
            addresses = groups.setdefault(name, [])
            if address is not None:
                addresses.append(address)
        return list(groups.items())

    def ip_by_address(self, address: str) -> IpAddress | None:
        return self.session.scalar(select(IpAddress).where(IpAddress.address == address))

    def assign_ips(
        self, customer_id: int, groups: Iterable[IpGroup], ips: Iterable[IpAddress]
    ) -> None:
        for group in groups:
            self.add(CustomerIpGroup(customer_id=customer_id, group_id=group.id))
        for ip in ips:
            self.add(CustomerIp(customer_id=customer_id, ip_id=ip.id))

    # Listing ----------------------------------------------------------------

    def audit_events(self, distributor_id: int | None, since: datetime | None) -> list[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.occurred_at, AuditEvent.id)
        if distributor_id is not None:
            query = query.where(AuditEvent.distributor_id == distributor_id)
        if since is not None:
            query = query.where(AuditEvent.occurred_at >= since)
        return list(self.session.scalars(query))

    def login_for_auth(self, key: str) -> StoredLogin | None:
        """The login and its owner's kind and status, in one indexed lookup."""
        rows = execute(self.connection, LOGIN_FOR_AUTH, key=key).rows
        return LoginRow._make(rows[0]).stored_login() if rows else None

    def login_by_id(self, login_id: int) -> StoredLogin | None:
        rows = execute(self.connection, LOGIN_BY_ID, login_id=login_id).rows
        return LoginRow._make(rows[0]).stored_login() if rows else None

    def add_audit_entry(self, entry: AuditEntry) -> None:
        execute(self.connection, AUDIT_INSERT, **entry._asdict())

    def add_audit_entries(self, entries: list[AuditEntry]) -> None:
        if entries:
            self.connection.execute(_audit.insert(), [e._asdict() for e in entries])

    def replace_hash(self, login_id: int, old_hash: str, new_hash: str) -> bool:
        result = self.connection.execute(
            update(_logins)
            .where(_logins.c.id == login_id, _logins.c.password_hash == old_hash)
            .values(password_hash=new_hash)
        )
        return bool(result.rowcount)

    def set_customer_flag(
        self, distributor_id: int, username: str, column: str, value: bool, now: datetime
    ) -> bool:
        """One UPDATE; False when no live customer of this distributor has that name."""
        params = {
            "distributor_id": distributor_id,
            "key": username_key(username),
            "value": value,
            "now": now,
        }
        return execute(self.connection, SET_FLAG[column], **params).rowcount > 0

    def customer_row(self, distributor_id: int, username_key: str) -> list[CustomerRow]:
        """The one live customer of this distributor with that name, as a list row."""
        return execute(
            self.connection, CUSTOMER_LIST_ONE, distributor_id=distributor_id, key=username_key
        ).rows

    def customer_row_by_id(self, distributor_id: int, customer_id: int) -> list[CustomerRow]:
        """A live customer of this distributor, by its id, as a list row."""
        return execute(
            self.connection,
            CUSTOMER_LIST_BY_ID,
            distributor_id=distributor_id,
            customer_id=customer_id,
        ).rows

    def stream_customers(
        self, distributor_id: int, *, limit: int | None, offset: int | None, batch: int
    ) -> Iterator[list[CustomerRow]]:
        """Live customers of a distributor in username order, `batch` rows at a time."""
        params: dict[str, object] = {"distributor_id": distributor_id}
        if limit is not None:
            statement, params["limit"], params["offset"] = CUSTOMER_LIST_PAGE, limit, offset or 0
        elif offset:
            statement, params["offset"] = CUSTOMER_LIST_FROM, offset
        else:
            statement = CUSTOMER_LIST
        return stream(self.connection, statement, batch, **params)
