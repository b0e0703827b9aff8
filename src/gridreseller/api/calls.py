"""The endpoint table: each call's name, who may make it, and the operation that does it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridreseller.bootstrap import Container
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.models import Result
from gridreseller.domain.params import Params
from gridreseller.services import credentials, customers, manage, packages
from gridreseller.services.operations import Operation, Selector


@dataclass(frozen=True)
class Call:
    purpose: Purpose
    operation: Operation[Any] | Selector

    async def authenticate(self, container: Container, params: Params, client: str) -> Principal:
        return await container.identity.authenticate(
            params.get("api_user") or "", params.get("api_key") or "", client, self.purpose
        )

    async def act(self, container: Container, principal: Principal, params: Params) -> Result:
        """`api_key` went to the access core and no further: no declaration reads it, so
        no command carries it."""
        operation = self.operation
        if isinstance(operation, Selector):  # distributor.manage: by method (and task)
            operation = operation.select(params)
        return await operation.run(container.services, principal.actor, params)


CALLS: dict[str, Call] = {
    "distributor.add": Call(Purpose.API_DISTRIBUTOR, customers.ADD),
    "distributor.delete": Call(Purpose.API_DISTRIBUTOR, customers.DELETE),
    "distributor.manage": Call(Purpose.API_DISTRIBUTOR, manage.MANAGE),
    "distributor.packages": Call(Purpose.API_DISTRIBUTOR, packages.LIST),
    "credentials/get": Call(Purpose.API_CREDENTIALS, credentials.GET),
    "credentials/add": Call(Purpose.API_CREDENTIALS, credentials.ADD),
    "credentials/edit": Call(Purpose.API_CREDENTIALS, credentials.EDIT),
    "credentials/remove": Call(Purpose.API_CREDENTIALS, credentials.REMOVE),
}
