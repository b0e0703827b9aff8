"""Queries over one session. Repositories read and stage changes; they never commit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from gridreseller.db.tables import (
    CustomerIp,
    CustomerIpGroup,
    CustomerProfile,
    IpAddress,
    IpGroup,
    Login,
    Package,
)
from gridreseller.domain.models import LoginKind

CustomerRow = tuple[Login, CustomerProfile, str]


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    def flush(self) -> None:
        self.session.flush()

    def delete(self, row: object) -> None:
        self.session.delete(row)

    # Logins -----------------------------------------------------------------

    def login_by_key(self, key: str) -> Login | None:
        return self.session.scalar(select(Login).where(Login.username_key == key))

    def login_by_id(self, login_id: int) -> Login | None:
        return self.session.get(Login, login_id)

    def username_taken(self, key: str) -> bool:
        return bool(self.session.scalar(select(exists().where(Login.username_key == key))))

    def any_distributor(self) -> bool:
        query = exists().where(Login.kind == LoginKind.DISTRIBUTOR.value)
        return bool(self.session.scalar(select(query)))

    def distributor(self, username: str) -> Login | None:
        login = self.login_by_key(username.lower())
        return login if login and login.kind == LoginKind.DISTRIBUTOR.value else None

    def customer_of(self, distributor_id: int, username: str) -> Login | None:
        """A live customer of this distributor, by username (any case)."""
        return self.session.scalar(
            select(Login).where(
                Login.owner_id == distributor_id,
                Login.kind == LoginKind.CUSTOMER.value,
                Login.username_key == username.lower(),
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
        return self.session.scalars(
            select(Login)
            .where(
                Login.owner_id == account_id,
                Login.kind == LoginKind.CREDENTIAL.value,
                Login.deleted_at.is_(None),
            )
            .order_by(Login.id)
        ).all()

    def credential_of(self, account_id: int, username: str) -> Login | None:
        return self.session.scalar(
            select(Login).where(
                Login.owner_id == account_id,
                Login.kind == LoginKind.CREDENTIAL.value,
                Login.username_key == username.lower(),
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

    def stream_customers(
        self,
        distributor_id: int,
        *,
        username_key: str | None,
        limit: int | None,
        offset: int | None,
        batch: int = 1000,
    ) -> Iterator[CustomerRow]:
        """Live customers of a distributor in username order, fetched in batches."""
        query = (
            select(Login, CustomerProfile, Package.name)
            .join(CustomerProfile, CustomerProfile.login_id == Login.id)
            .join(Package, Package.id == CustomerProfile.package_id)
            .where(
                Login.owner_id == distributor_id,
                Login.kind == LoginKind.CUSTOMER.value,
                Login.deleted_at.is_(None),
            )
            .order_by(Login.username_key)
        )
        if username_key is not None:
            query = query.where(Login.username_key == username_key)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        result = self.session.execute(query.execution_options(yield_per=batch))
        yield from result.tuples()

    def count_customers(self, distributor_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(
                    Login.owner_id == distributor_id, Login.kind == LoginKind.CUSTOMER.value
                )
            )
            or 0
        )
