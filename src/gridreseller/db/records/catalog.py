"""A distributor's packages, IP groups and IP addresses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, insert, select

from gridreseller.db.records.tables import ip_addresses, ip_groups, packages
from gridreseller.domain.models import PackageRecord, PackageView


class CatalogRecords:
    connection: Connection

    def packages_of(self, distributor_id: int) -> Sequence[PackageView]:
        query = (
            select(
                packages.c.name,
                packages.c.price,
                packages.c.description,
                packages.c.credits,
                packages.c.overage,
                packages.c.has_reseller,
                packages.c.has_ip,
                packages.c.distributor_price,
            )
            .where(packages.c.distributor_id == distributor_id)
            .order_by(packages.c.name)
        )
        return [PackageView(*row) for row in self.connection.execute(query)]

    def package_named(self, distributor_id: int, name: str) -> PackageRecord | None:
        query = select(packages.c.id, packages.c.name, packages.c.has_ip).where(
            packages.c.distributor_id == distributor_id, packages.c.name == name
        )
        row = self.connection.execute(query).first()
        return PackageRecord._make(row) if row else None

    def create_package(self, distributor_id: int, values: dict[str, object]) -> None:
        self.connection.execute(insert(packages).values(distributor_id=distributor_id, **values))

    def ip_groups_named(self, distributor_id: int, names: Iterable[str]) -> dict[str, int]:
        """Group name -> id, for those of `names` that are this distributor's."""
        query = select(ip_groups.c.name, ip_groups.c.id).where(
            ip_groups.c.distributor_id == distributor_id, ip_groups.c.name.in_(list(names))
        )
        return {row[0]: row[1] for row in self.connection.execute(query)}

    def ip_groups_of(self, distributor_id: int) -> list[tuple[str, list[str]]]:
        """Every IP group of this distributor with its addresses, groups in name order."""
        rows = self.connection.execute(
            select(ip_groups.c.name, ip_addresses.c.address)
            .select_from(
                ip_groups.outerjoin(ip_addresses, ip_addresses.c.group_id == ip_groups.c.id)
            )
            .where(ip_groups.c.distributor_id == distributor_id)
            .order_by(ip_groups.c.name, ip_addresses.c.address)
        )
        groups: dict[str, list[str]] = {}
        for name, address in rows:
            addresses = groups.setdefault(name, [])
            if address is not None:
                addresses.append(address)
        return list(groups.items())

    def create_ip_group(self, distributor_id: int, name: str) -> int:
        result = self.connection.execute(
            insert(ip_groups).values(distributor_id=distributor_id, name=name)
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def ips_of(self, distributor_id: int, addresses: Iterable[str]) -> dict[str, int]:
        """Address -> id, for those of `addresses` in this distributor's groups."""
        query = (
            select(ip_addresses.c.address, ip_addresses.c.id)
            .join(ip_groups, ip_groups.c.id == ip_addresses.c.group_id)
            .where(
                ip_groups.c.distributor_id == distributor_id,
                ip_addresses.c.address.in_(list(addresses)),
            )
        )
        return {row[0]: row[1] for row in self.connection.execute(query)}

    def ip_group_of_address(self, address: str) -> int | None:
        query = select(ip_addresses.c.group_id).where(ip_addresses.c.address == address)
        return self.connection.execute(query).scalar()

    def add_ip(self, group_id: int, address: str) -> None:
        self.connection.execute(insert(ip_addresses).values(group_id=group_id, address=address))
