"""credentials/get|add|edit|remove: an account's extra logins (docs/api.md, credentials/*)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from gridreseller.domain import rules
from gridreseller.domain.errors import NotFound
from gridreseller.domain.models import (
    Actor,
    CredentialList,
    CredentialView,
    LoginKind,
    Permissions,
    Success,
)
from gridreseller.domain.records import NewLogin
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records


class GetCredentials(NamedTuple):
    username: str | None


class AddCredential(NamedTuple):
    username: str
    password: str
    permissions: dict[str, int]


class EditCredential(NamedTuple):
    username: str
    password: str | None
    permissions: dict[str, int]
    email: int | None
    web: int | None
    api: int | None

    @property
    def bits(self) -> dict[str, int]:
        """Bits from `permissions`, overridden by separate email/web/api parameters."""
        separate = {"email": self.email, "web": self.web, "api": self.api}
        return {**self.permissions, **{k: v for k, v in separate.items() if v is not None}}


class RemoveCredential(NamedTuple):
    username: str


class ListCredentials(NamedTuple):
    """No parameters: every credential of the account."""


class FindCredential(NamedTuple):
    username: str


async def get_credentials(
    ctx: ServiceContext, actor: Actor, command: GetCredentials
) -> CredentialList | CredentialView:
    """credentials/get: all of the account's credentials, or the one named by
    `username` (each on its own: list_credentials, find_credential)."""
    if not command.username:
        return await list_credentials(ctx, actor, ListCredentials())
    return await find_credential(ctx, actor, FindCredential(command.username))


async def list_credentials(
    ctx: ServiceContext, actor: Actor, _command: ListCredentials
) -> CredentialList:
    """All of the account's credentials."""
    return CredentialList(
        list(await ctx.uow.run_read(lambda r: r.credentials_of(actor.account_id)))
    )


async def find_credential(
    ctx: ServiceContext, actor: Actor, command: FindCredential
) -> CredentialView:
    """The account's credential named `username`; NotFound otherwise."""
    return await ctx.uow.run_read(lambda r: _credential(r, actor, command.username))


async def customer_credentials(
    ctx: ServiceContext, actor: Actor, user: str
) -> list[CredentialView]:
    """A distributor's view of its live customer `user`'s credentials (read only: the
    customer manages them); NotFound for anyone else's."""
    key = rules.username_key(user)

    def look(repository: Records) -> list[CredentialView]:
        customer = repository.customer_of(actor.account_id, key)
        if customer is None:
            raise NotFound()
        return list(repository.credentials_of(customer.id))

    return await ctx.uow.run_read(look)


async def add_credential(ctx: ServiceContext, actor: Actor, command: AddCredential) -> Success:
    permissions = permissions_with(Permissions(), command.permissions)
    password_hash = await ctx.hash_password(command.password)

    def change(repository: Records) -> None:
        # A taken name is the username constraint's to say (create_login's guard).
        login = NewLogin(
            LoginKind.CREDENTIAL,
            command.username,
            password_hash,
            ctx.clock(),
            owner_id=actor.account_id,
            permissions=permissions,
        )
        repository.create_login(login)
        fields = {"permissions": permissions.as_dict(), "password": True}
        audit.record(repository, ctx, actor, "credential.add", command.username, fields)

    await ctx.uow.run_write(change)
    return Success()


async def edit_credential(ctx: ServiceContext, actor: Actor, command: EditCredential) -> Success:
    """Only what is given changes; separate email/web/api bits win over `permissions`."""
    password_hash = await ctx.hash_password(command.password) if command.password else None

    def change(repository: Records) -> None:
        credential = _credential(repository, actor, command.username)
        updated = permissions_with(credential.permissions, command.bits)
        if updated == credential.permissions and password_hash is None:
            return  # an edit that changes nothing is a success
        repository.update_credential(credential.id, updated, password_hash, ctx.clock())
        fields: dict[str, object] = {"permissions": updated.as_dict()}
        if password_hash is not None:
            fields["password"] = True
        audit.record(repository, ctx, actor, "credential.edit", credential.name, fields)

    await ctx.uow.run_write(change)
    return Success()


async def remove_credential(
    ctx: ServiceContext, actor: Actor, command: RemoveCredential
) -> Success:
    """Deletes the row, so the name is free again."""

    def change(repository: Records) -> None:
        credential = _credential(repository, actor, command.username)
        repository.remove_credential(credential.id)
        audit.record(repository, ctx, actor, "credential.remove", credential.name)

    await ctx.uow.run_write(change)
    return Success()


def _credential(repository: Records, actor: Actor, name: str) -> CredentialView:
    credential = repository.credential_of(actor.account_id, rules.username_key(name))
    if credential is None:
        raise NotFound()
    return credential


def permissions_with(current: Permissions, bits: Mapping[str, int]) -> Permissions:
    """`current` with the bits given in their place."""
    return Permissions(
        email=bits.get("email", current.email),
        web=bits.get("web", current.web),
        api=bits.get("api", current.api),
    )
