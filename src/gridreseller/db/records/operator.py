"""The operator's views and changes (services/operator.py): distributors, packages, IPs."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, delete, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from gridreseller.db.records.tables import (
    customer_ip_groups,
    customer_ips,
    ip_addresses,
    ip_groups,
    logins,
    packages,
    profiles,
)
from gridreseller.domain.models import LoginKind
from gridreseller.domain.records import (
    DistributorRecord,
    DistributorSummary,
    IpSummary,
    PackageSummary,
)

__all__ = [
    "DistributorRecord",
    "DistributorSummary",
    "IpSummary",
    "OperatorRecords",
    "PackageSummary",
]

customers = logins.alias("customers")


class OperatorRecords:
    connection: Connection

    def distributor_named(self, key: str) -> DistributorRecord | None:
        query = select(logins.c.id, logins.c.username, logins.c.active).where(
            logins.c.username_key == key, logins.c.kind == LoginKind.DISTRIBUTOR.value
        )
        row = self.connection.execute(query).first()
        return DistributorRecord._make(row) if row else None

    def distributor_summaries(self) -> list[DistributorSummary]:
        """Every distributor with its live customers counted, by username."""
        live = (
            select(func.count())
            .select_from(customers)
            .where(
                customers.c.owner_id == logins.c.id,
                customers.c.kind == LoginKind.CUSTOMER.value,
                customers.c.deleted_at.is_(None),
            )
            .scalar_subquery()
        )
        query = (
            select(logins.c.username, logins.c.email, logins.c.active, live)
            .where(logins.c.kind == LoginKind.DISTRIBUTOR.value)
            .order_by(logins.c.username_key)
        )
        return [DistributorSummary._make(row) for row in self.connection.execute(query)]

    def package_summaries(self, distributor_id: int | None) -> list[PackageSummary]:
        """Packages (of one distributor, or all) with the live customers using each."""
        users = (
            select(func.count())
            .select_from(profiles.join(customers, customers.c.id == profiles.c.login_id))
            .where(profiles.c.package_id == packages.c.id, customers.c.deleted_at.is_(None))
            .scalar_subquery()
        )
        query = (
            select(
                logins.c.username,
                packages.c.name,
                packages.c.price,
                packages.c.credits,
                packages.c.overage,
                packages.c.distributor_price,
                packages.c.has_ip,
                packages.c.has_reseller,
                users,
            )
            .select_from(packages.join(logins, logins.c.id == packages.c.distributor_id))
            .order_by(logins.c.username_key, packages.c.name)
        )
        if distributor_id is not None:
            query = query.where(packages.c.distributor_id == distributor_id)
        return [PackageSummary._make(row) for row in self.connection.execute(query)]

    def live_customers_on_package(self, package_id: int) -> list[str]:
        """Usernames of the live customers whose package this is."""
        query = (
            select(customers.c.username)
            .join(profiles, profiles.c.login_id == customers.c.id)
            .where(profiles.c.package_id == package_id, customers.c.deleted_at.is_(None))
            .order_by(customers.c.username_key)
        )
        return list(self.connection.execute(query).scalars())

    def delete_package(self, package_id: int) -> int:
        """The package, and the profiles of deleted customers that still name it (their
        logins stay, so their usernames stay reserved); how many profiles went."""
        deleted_users = select(customers.c.id).where(customers.c.deleted_at.is_not(None))
        removed = self.connection.execute(
            delete(profiles).where(
                profiles.c.package_id == package_id, profiles.c.login_id.in_(deleted_users)
            )
        )
        self.connection.execute(delete(packages).where(packages.c.id == package_id))
        return int(removed.rowcount)

    def ip_summaries(self, distributor_id: int | None) -> list[IpSummary]:
        """IP groups and their addresses (None for an empty group), each with the live
        customers that have the group, and that have the address itself (`ip[]`)."""
        query = (
            select(
                logins.c.username,
                ip_groups.c.name,
                self._live_count(
                    customer_ip_groups, customer_ip_groups.c.group_id == ip_groups.c.id
                ),
                ip_addresses.c.address,
                self._live_count(customer_ips, customer_ips.c.ip_id == ip_addresses.c.id),
            )
            .select_from(
                ip_groups.join(logins, logins.c.id == ip_groups.c.distributor_id).outerjoin(
                    ip_addresses, ip_addresses.c.group_id == ip_groups.c.id
                )
            )
            .order_by(logins.c.username_key, ip_groups.c.name, ip_addresses.c.address)
        )
        if distributor_id is not None:
            query = query.where(ip_groups.c.distributor_id == distributor_id)
        return [IpSummary._make(row) for row in self.connection.execute(query)]

    @staticmethod
    def _live_count(links: Table, linked: ColumnElement[bool]) -> ScalarSelect[int]:
        """How many live customers a link table (customer_id -> something) joins to."""
        return (
            select(func.count())
            .select_from(links.join(customers, customers.c.id == links.c.customer_id))
            .where(linked, customers.c.deleted_at.is_(None))
            .scalar_subquery()
        )

    def live_customers_on_ips(self, ip_ids: Iterable[int]) -> list[str]:
        query = (
            select(customers.c.username)
            .join(customer_ips, customer_ips.c.customer_id == customers.c.id)
            .where(customer_ips.c.ip_id.in_(list(ip_ids)), customers.c.deleted_at.is_(None))
            .distinct()
            .order_by(customers.c.username)
        )
        return list(self.connection.execute(query).scalars())

    def live_customers_on_ip_group(self, group_id: int) -> list[str]:
        """Live customers that have the group, or one of its addresses itself."""
        addresses = select(ip_addresses.c.id).where(ip_addresses.c.group_id == group_id)
        with_group = select(customer_ip_groups.c.customer_id).where(
            customer_ip_groups.c.group_id == group_id
        )
        with_address = select(customer_ips.c.customer_id).where(customer_ips.c.ip_id.in_(addresses))
        query = (
            select(customers.c.username)
            .where(
                customers.c.id.in_(with_group.union(with_address)),
                customers.c.deleted_at.is_(None),
            )
            .order_by(customers.c.username)
        )
        return list(self.connection.execute(query).scalars())

    def delete_ips(self, ip_ids: Iterable[int]) -> None:
        """The addresses, and (by cascade) what deleted customers still had of them."""
        ids = list(ip_ids)
        self.connection.execute(delete(customer_ips).where(customer_ips.c.ip_id.in_(ids)))
        self.connection.execute(delete(ip_addresses).where(ip_addresses.c.id.in_(ids)))

    def delete_ip_group(self, group_id: int) -> None:
        addresses = select(ip_addresses.c.id).where(ip_addresses.c.group_id == group_id)
        self.delete_ips(self.connection.execute(addresses).scalars())
        self.connection.execute(
            delete(customer_ip_groups).where(customer_ip_groups.c.group_id == group_id)
        )
        self.connection.execute(delete(ip_groups).where(ip_groups.c.id == group_id))
