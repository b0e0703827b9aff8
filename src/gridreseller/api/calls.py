"""The endpoint table: each call's name, who may make it, and the operation that does it
(its declarations: api/legacy/)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridreseller.api.legacy import credentials, customers, manage, packages
from gridreseller.api.legacy.mail_send import SEND, MailSend
from gridreseller.api.legacy.operations import Operation, Selector
from gridreseller.api.legacy.params import Params
from gridreseller.api.parts import ApiParts
from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.api_keys import MAIL_SEND
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.models import Result

BOTH_LOGINS = "give either api_user and api_key or an Authorization: Bearer API key, not both"


@dataclass(frozen=True)
class Call:
    purpose: Purpose
    operation: Operation[Any] | Selector | MailSend
    # mail.send's transport: its larger body and its form (api/mail_form.py).
    mail_form: bool = False

    async def authenticate(
        self, container: ApiParts, params: Params, client: str, bearer: str | None = None
    ) -> Principal:
        """The login of `api_user`/`api_key`. Where a call takes API keys (mail.send),
        `Authorization: Bearer` is the other way in: a key with the scope `mail.send`,
        acting as its account (judged by the access core's key path, one throttle
        budget with passwords)."""
        user, key = params.get("api_user") or "", params.get("api_key") or ""
        if bearer is not None:
            if user or key:
                raise Invalid([Problem("api_user", BOTH_LOGINS)])
            found = await container.identity.authenticate_key(bearer, client, self.purpose)
            found.require(MAIL_SEND)
            return found.principal
        return await container.identity.authenticate(user, key, client, self.purpose)

    async def act(self, container: ApiParts, principal: Principal, params: Params) -> Result:
        """`api_key` went to the access core and no further: no declaration reads it, so
        no command carries it."""
        operation = self.operation
        if isinstance(operation, MailSend):
            return await operation.run(container.services, container.submission, principal, params)
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
    "mail.send": Call(Purpose.SEND_MAIL_HTTP, SEND, mail_form=True),
}
