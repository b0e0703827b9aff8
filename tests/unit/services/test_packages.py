"""distributor.packages (docs/api.md, distributor.packages): a distributor's own packages,
every field as stored."""

from __future__ import annotations

from decimal import Decimal

from gridreseller.api.legacy import packages
from gridreseller.domain.models import PackageList, PackageView
from tests.factories import RICH_PACKAGE, Account, Factory


def listed(factory: Factory, account: Account, **params: str) -> dict[str, PackageView]:
    result = factory.run(packages.LIST, account, **params)
    assert isinstance(result, PackageList)
    return {package.name: package for package in result.packages}


def test_every_field_of_every_package(factory: Factory) -> None:
    distributor = factory.distributor()
    name = factory.package(distributor, **RICH_PACKAGE)
    assert listed(factory, distributor) == {
        name: PackageView(
            name, Decimal("9.95"), "x", 100, Decimal("0.01"), True, True, Decimal("5")
        ),
        distributor.package: PackageView(
            distributor.package, Decimal(0), "", 0, Decimal(0), False, False, Decimal(0)
        ),
    }


def test_only_own_packages(factory: Factory) -> None:
    distributor, other = factory.distributor(), factory.distributor()
    mine = factory.package(distributor)
    theirs = factory.package(other)
    assert set(listed(factory, distributor)) == {distributor.package, mine}
    assert set(listed(factory, other)) == {other.package, theirs}


def test_parameters_are_ignored(factory: Factory) -> None:
    distributor = factory.distributor()
    assert set(listed(factory, distributor, name="other", limit="x")) == {distributor.package}


def test_distributor_credential_with_api(factory: Factory) -> None:
    distributor = factory.distributor()
    extra = factory.package(distributor)
    credential = factory.credential(distributor, api=1)
    assert set(listed(factory, credential)) == {distributor.package, extra}
