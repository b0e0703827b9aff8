"""Customers: their profiles, listing in username order, flags, deletion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update

from gridreseller.db.records.logins import username_guard
from gridreseller.db.records.tables import (
    customer_ip_groups,
    customer_ips,
    ip_addresses,
    ip_groups,
    logins,
    packages,
    profiles,
)
from gridreseller.db.statements import execute, with_driver_values
from gridreseller.domain.models import CustomerPlan, CustomerRecord, LoginKind
from gridreseller.domain.records import KEY_COLUMN, CustomerFlag, CustomerRow

_LIVE_CUSTOMERS_OF = (
    logins.c.owner_id == bindparam("distributor_id"),
    logins.c.kind == LoginKind.CUSTOMER.value,
    logins.c.deleted_at.is_(None),
)

# Columns in the order of a listed customer (domain.models.CUSTOMER_FIELDS), then the
# username's key, which the next batch starts after. Its readers test the flags for
# truth, so a 100,000-row list is not converted row by row.
CUSTOMER_LIST = with_driver_values(
    select(
        logins.c.username,
        logins.c.email,
        logins.c.active,
        profiles.c.first_name,
        profiles.c.last_name,
        profiles.c.address,
        profiles.c.city,
        profiles.c.state,
        profiles.c.zip,
        profiles.c.country,
        profiles.c.phone,
        profiles.c.website,
        profiles.c.company,
        packages.c.name.label("package"),
        logins.c.website_access,
        profiles.c.sender_domains,
        logins.c.username_key,
    )
    .select_from(
        logins.join(profiles, profiles.c.login_id == logins.c.id).join(
            packages, packages.c.id == profiles.c.package_id
        )
    )
    .where(*_LIVE_CUSTOMERS_OF)
    .order_by(logins.c.username_key)
)
CUSTOMER_LIST_ONE = CUSTOMER_LIST.where(logins.c.username_key == bindparam("key"))
CUSTOMER_LIST_BY_ID = CUSTOMER_LIST.where(logins.c.id == bindparam("customer_id"))
# Keyset pages: each batch is one short query that starts after the last key seen, so
# no connection is held between batches (a slow reader holds nothing).
CUSTOMER_LIST_FIRST = CUSTOMER_LIST.offset(bindparam("offset")).limit(bindparam("batch"))
CUSTOMER_LIST_AFTER = CUSTOMER_LIST.where(logins.c.username_key > bindparam("after")).limit(
    bindparam("batch")
)

SET_FLAG = {
    column: update(logins)
    .where(*_LIVE_CUSTOMERS_OF, logins.c.username_key == bindparam("key"))
    .values({column: bindparam("value"), "updated_at": bindparam("now")})
    for column in ("active", "website_access")
}

# Read at every MAIL FROM and DATA of a customer's session, and every mail.send.
SENDER_DOMAINS_OF = select(profiles.c.sender_domains).where(
    profiles.c.login_id == bindparam("customer_id")
)

# The layout domain/records.py gives a listed customer: its fields, then the key.
assert len(CUSTOMER_LIST.selected_columns) == KEY_COLUMN + 1


class CustomerRecords:
    connection: Connection

    def customer_of(self, distributor_id: int, key: str) -> CustomerRecord | None:
        """A live customer of this distributor, by username key."""
        query = select(
            logins.c.id,
            logins.c.username,
            logins.c.username_key,
            logins.c.email,
            logins.c.password_hash,
        ).where(
            logins.c.owner_id == distributor_id,
            logins.c.kind == LoginKind.CUSTOMER.value,
            logins.c.username_key == key,
            logins.c.deleted_at.is_(None),
        )
        row = self.connection.execute(query).first()
        return CustomerRecord._make(row) if row else None

    def create_customer_profile(
        self,
        customer_id: int,
        profile: Mapping[str, object],
        group_ids: Iterable[int],
        ip_ids: Iterable[int],
    ) -> None:
        self.connection.execute(insert(profiles).values(login_id=customer_id, **profile))
        groups = [{"customer_id": customer_id, "group_id": g} for g in group_ids]
        if groups:
            self.connection.execute(insert(customer_ip_groups), groups)
        ips = [{"customer_id": customer_id, "ip_id": i} for i in ip_ids]
        if ips:
            self.connection.execute(insert(customer_ips), ips)

    def create_customers(
        self,
        login_rows: Sequence[Mapping[str, object]],
        profile_rows: Sequence[Mapping[str, object]],
    ) -> list[int]:
        """Many customers in two statements (seeding and imports): the logins, then their
        profiles in the same order. Their ids, in order."""
        statement = insert(logins).returning(logins.c.id, sort_by_parameter_order=True)
        with username_guard():
            ids = [row[0] for row in self.connection.execute(statement, list(login_rows))]
        rows = [{**p, "login_id": i} for i, p in zip(ids, profile_rows, strict=True)]
        if rows:
            self.connection.execute(insert(profiles), rows)
        return ids

    def customer_plan(self, customer_id: int) -> CustomerPlan:
        """The customer's package, whitelabel, IP groups and addresses, billing date."""
        columns = (packages.c.name, packages.c.has_ip, profiles.c.whitelabel)
        name, has_ip, whitelabel, billing_date = self.connection.execute(
            select(*columns, profiles.c.billing_date)
            .select_from(profiles.join(packages, packages.c.id == profiles.c.package_id))
            .where(profiles.c.login_id == customer_id)
        ).one()
        groups = (
            select(ip_groups.c.name)
            .join(customer_ip_groups, customer_ip_groups.c.group_id == ip_groups.c.id)
            .where(customer_ip_groups.c.customer_id == customer_id)
            .order_by(ip_groups.c.name)
        )
        ips = (
            select(ip_addresses.c.address)
            .join(customer_ips, customer_ips.c.ip_id == ip_addresses.c.id)
            .where(customer_ips.c.customer_id == customer_id)
            .order_by(ip_addresses.c.address)
        )
        group_names = tuple(self.connection.execute(groups).scalars())
        addresses = tuple(self.connection.execute(ips).scalars())
        return CustomerPlan(name, has_ip, whitelabel, group_names, addresses, billing_date)

    def replace_customer_ips(
        self, customer_id: int, group_ids: Iterable[int], ip_ids: Iterable[int]
    ) -> None:
        """The customer's IP groups and addresses become these (no others)."""
        for links in (customer_ip_groups, customer_ips):
            self.connection.execute(delete(links).where(links.c.customer_id == customer_id))
        groups = [{"customer_id": customer_id, "group_id": g} for g in group_ids]
        if groups:
            self.connection.execute(insert(customer_ip_groups), groups)
        ips = [{"customer_id": customer_id, "ip_id": i} for i in ip_ids]
        if ips:
            self.connection.execute(insert(customer_ips), ips)

    def update_profile(self, customer_id: int, changes: Mapping[str, object]) -> None:
        statement = update(profiles).where(profiles.c.login_id == customer_id)
        self.connection.execute(statement.values(**changes))

    def delete_customer(self, customer_id: int, now: datetime) -> None:
        """Soft delete: the customer and its credentials stay, their names reserved."""
        mine = (logins.c.id == customer_id) | and_(
            logins.c.owner_id == customer_id,
            logins.c.kind == LoginKind.CREDENTIAL.value,
            logins.c.deleted_at.is_(None),
        )
        statement = update(logins).where(mine).values(deleted_at=now, updated_at=now)
        self.connection.execute(statement)

    def set_customer_flag(
        self, distributor_id: int, key: str, column: CustomerFlag, value: bool, now: datetime
    ) -> bool:
        """One UPDATE; False when no live customer of this distributor has that name."""
        params = {"distributor_id": distributor_id, "key": key, "value": value, "now": now}
        return execute(self.connection, SET_FLAG[column], **params).rowcount > 0

    def customer_row(self, distributor_id: int, key: str) -> list[CustomerRow]:
        """The one live customer of this distributor with that name, as a list row."""
        return execute(
            self.connection, CUSTOMER_LIST_ONE, distributor_id=distributor_id, key=key
        ).rows

    def customer_row_by_id(self, distributor_id: int, customer_id: int) -> list[CustomerRow]:
        """A live customer of this distributor, by its id, as a list row."""
        return execute(
            self.connection,
            CUSTOMER_LIST_BY_ID,
            distributor_id=distributor_id,
            customer_id=customer_id,
        ).rows

    def customer_rows(
        self, distributor_id: int, *, after: str | None, offset: int, batch: int
    ) -> list[CustomerRow]:
        """Up to `batch` live customers in username order: from `offset`, or after a key."""
        if after is None:
            return execute(
                self.connection,
                CUSTOMER_LIST_FIRST,
                distributor_id=distributor_id,
                offset=offset,
                batch=batch,
            ).rows
        return execute(
            self.connection,
            CUSTOMER_LIST_AFTER,
            distributor_id=distributor_id,
            after=after,
            batch=batch,
        ).rows

    def sender_domains(self, customer_id: int) -> str:
        """The customer's allowed sender domains as stored ("" when any sender)."""
        rows = execute(self.connection, SENDER_DOMAINS_OF, customer_id=customer_id).rows
        return str(rows[0][0] or "") if rows else ""
