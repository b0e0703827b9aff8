"""distributor.packages: the packages a distributor may assign (docs/api.md,
distributor.packages)."""

from __future__ import annotations

from typing import NamedTuple

from gridreseller.domain.models import Actor, PackageList
from gridreseller.services.context import ServiceContext


class ListPackages(NamedTuple):
    """No parameters."""


async def list_packages(ctx: ServiceContext, actor: Actor, _command: ListPackages) -> PackageList:
    return PackageList(list(await ctx.uow.run_read(lambda r: r.packages_of(actor.account_id))))
