"""A distributor's IP groups, read only: the choices of a new customer's `ip_group[]`
(docs/api.md, distributor.add)."""

from __future__ import annotations

from gridreseller.domain.models import Actor, IpGroupView
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records


async def list_ip_groups(ctx: ServiceContext, actor: Actor) -> list[IpGroupView]:
    """The acting distributor's groups in name order, each with its addresses."""

    def look(repository: Records) -> list[IpGroupView]:
        groups = repository.ip_groups_of(actor.account_id)
        return [IpGroupView(name, tuple(addresses)) for name, addresses in groups]

    return await ctx.uow.run_read(look)
