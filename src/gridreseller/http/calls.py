"""The endpoint table: each call's name, who may make it, and the service that does it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gridreseller.domain.models import Actor, Result
from gridreseller.domain.params import Params
from gridreseller.services import credentials, customers, manage, packages
from gridreseller.services.auth import Scope, authenticate
from gridreseller.services.context import ServiceContext

Service = Callable[[ServiceContext, Actor, Params], Awaitable[Result]]


@dataclass(frozen=True)
class Call:
    scope: Scope
    service: Service

    async def handle(self, ctx: ServiceContext, params: Params, client: str) -> Result:
        """Authenticate, then act."""
        actor = await authenticate(ctx, params, self.scope, client)
        return await self.service(ctx, actor, params)


CALLS: dict[str, Call] = {
    "distributor.add": Call(Scope.DISTRIBUTOR, customers.add_customer),
    "distributor.delete": Call(Scope.DISTRIBUTOR, customers.delete_customer),
    "distributor.manage": Call(Scope.DISTRIBUTOR, manage.manage),
    "distributor.packages": Call(Scope.DISTRIBUTOR, packages.list_packages),
    "credentials/get": Call(Scope.CREDENTIALS, credentials.get_credentials),
    "credentials/add": Call(Scope.CREDENTIALS, credentials.add_credential),
    "credentials/edit": Call(Scope.CREDENTIALS, credentials.edit_credential),
    "credentials/remove": Call(Scope.CREDENTIALS, credentials.remove_credential),
}
