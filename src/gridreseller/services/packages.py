"""distributor.packages: the packages a distributor may assign."""

from __future__ import annotations

from gridreseller.db.repository import Repository
from gridreseller.db.tables import Package
from gridreseller.domain.models import Actor, PackageList, PackageView
from gridreseller.domain.params import Params
from gridreseller.services.context import ServiceContext


async def list_packages(ctx: ServiceContext, actor: Actor, _params: Params) -> PackageList:
    def look(repository: Repository) -> PackageList:
        return PackageList([_view(p) for p in repository.packages_of(actor.account_id)])

    return await ctx.uow.run_read(look)


def _view(package: Package) -> PackageView:
    return PackageView(
        name=package.name,
        price=package.price,
        description=package.description,
        credits=package.credits,
        overage=package.overage,
        has_reseller=package.has_reseller,
        has_ip=package.has_ip,
        distributor_price=package.distributor_price,
    )
