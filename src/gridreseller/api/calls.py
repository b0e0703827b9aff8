"""The endpoint table: each call's name, who may make it, and the service that does it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gridreseller.bootstrap import Container
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.models import Actor, Result
from gridreseller.domain.params import Params
from gridreseller.services import credentials, customers, manage, packages
from gridreseller.services.context import ServiceContext

Service = Callable[[ServiceContext, Actor, Params], Awaitable[Result]]


@dataclass(frozen=True)
class Call:
    purpose: Purpose
    service: Service

    async def authenticate(self, container: Container, params: Params, client: str) -> Principal:
        return await container.identity.authenticate(
            params.get("api_user") or "", params.get("api_key") or "", client, self.purpose
        )

    async def act(self, container: Container, principal: Principal, params: Params) -> Result:
        return await self.service(container.services, principal.actor, params)


CALLS: dict[str, Call] = {
    "distributor.add": Call(Purpose.API_DISTRIBUTOR, customers.add_customer),
    "distributor.delete": Call(Purpose.API_DISTRIBUTOR, customers.delete_customer),
    "distributor.manage": Call(Purpose.API_DISTRIBUTOR, manage.manage),
    "distributor.packages": Call(Purpose.API_DISTRIBUTOR, packages.list_packages),
    "credentials/get": Call(Purpose.API_CREDENTIALS, credentials.get_credentials),
    "credentials/add": Call(Purpose.API_CREDENTIALS, credentials.add_credential),
    "credentials/edit": Call(Purpose.API_CREDENTIALS, credentials.edit_credential),
    "credentials/remove": Call(Purpose.API_CREDENTIALS, credentials.remove_credential),
}
