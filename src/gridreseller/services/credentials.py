"""credentials/get|add|edit|remove: an account's extra logins (§8)."""

from __future__ import annotations

from typing import NamedTuple

from gridreseller.db.repository import Repository
from gridreseller.domain import rules
from gridreseller.domain.errors import NotFound
from gridreseller.domain.fields import (
    Bit,
    CredentialName,
    Declaration,
    Field,
    Password,
    PermissionsJson,
    Text,
    permissions_with,
)
from gridreseller.domain.models import (
    Actor,
    CredentialList,
    CredentialView,
    LoginKind,
    Permissions,
    Success,
)
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.operations import Operation

PERMISSIONS_DESCRIPTION = "JSON object with keys among email, web, api and values 0 or 1."


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


def _name(description: str) -> Field:
    return Field(
        "username",
        CredentialName(),
        True,
        description=f"{description} 1 to 64 letters, digits or `_ . - @ +`.",
        example="smtp_sender",
    )


GET_CREDENTIALS = Declaration(
    GetCredentials,
    (
        Field(
            "username",
            Text(empty_is_absent=True),
            description="Name of one credential; without it, every credential is listed.",
            example="smtp_sender",
        ),
    ),
)
ADD_CREDENTIAL = Declaration(
    AddCredential,
    (
        _name("Name of the new credential; unique across every account."),
        Field("password", Password(), True, description="Password of the credential."),
        Field(
            "permissions",
            PermissionsJson(),
            default={},
            description=PERMISSIONS_DESCRIPTION + " Missing keys: 0.",
            example='{"email":1,"web":0,"api":0}',
        ),
    ),
)
EDIT_CREDENTIAL = Declaration(
    EditCredential,
    (
        _name("The credential to change."),
        Field("password", Password(), description="New password; leave out to keep it."),
        Field(
            "permissions",
            PermissionsJson(),
            default={},
            description=PERMISSIONS_DESCRIPTION + " Only the keys given change.",
            example='{"email":1,"web":0,"api":0}',
        ),
        *(
            Field(
                bit, Bit(), description=f"The `{bit}` bit; wins over the same key in `permissions`."
            )
            for bit in rules.PERMISSION_KEYS
        ),
    ),
)
REMOVE_CREDENTIAL = Declaration(RemoveCredential, (_name("The credential to delete."),))


async def get_credentials(
    ctx: ServiceContext, actor: Actor, command: GetCredentials
) -> CredentialList | CredentialView:
    """All of the account's credentials, or the one named by `username`."""
    if not command.username:
        return CredentialList(await list_credentials(ctx, actor))
    return await find_credential(ctx, actor, command.username)


async def list_credentials(ctx: ServiceContext, actor: Actor) -> list[CredentialView]:
    """Every credential of the account."""
    return await ctx.uow.run_read(lambda r: list(r.credentials_of(actor.account_id)))


async def find_credential(ctx: ServiceContext, actor: Actor, name: str) -> CredentialView:
    """The account's credential of that name; NotFound otherwise."""
    return await ctx.uow.run_read(lambda r: _credential(r, actor, name))


async def customer_credentials(
    ctx: ServiceContext, actor: Actor, user: str
) -> list[CredentialView]:
    """A distributor's view of its live customer `user`'s credentials (read only: the
    customer manages them); NotFound for anyone else's."""
    key = rules.username_key(user)

    def look(repository: Repository) -> list[CredentialView]:
        customer = repository.customer_of(actor.account_id, key)
        if customer is None:
            raise NotFound()
        return list(repository.credentials_of(customer.id))

    return await ctx.uow.run_read(look)


async def add_credential(ctx: ServiceContext, actor: Actor, command: AddCredential) -> Success:
    permissions = permissions_with(Permissions(), command.permissions)
    password_hash = await ctx.hash_password(command.password)

    def change(repository: Repository) -> None:
        # A taken name is the username constraint's to say (create_login's guard).
        key = rules.username_key(command.username)
        now = ctx.clock()
        repository.create_login(
            {
                "kind": LoginKind.CREDENTIAL.value,
                "username": command.username,
                "username_key": key,
                "password_hash": password_hash,
                "owner_id": actor.account_id,
                "perm_email": permissions.email,
                "perm_web": permissions.web,
                "perm_api": permissions.api,
                "created_at": now,
                "updated_at": now,
            }
        )
        fields = {"permissions": permissions.as_dict(), "password": True}
        audit.record(repository, ctx, actor, "credential.add", command.username, fields)

    await ctx.uow.run_write(change)
    return Success()


async def edit_credential(ctx: ServiceContext, actor: Actor, command: EditCredential) -> Success:
    """Only what is given changes; separate email/web/api bits win over `permissions`."""
    password_hash = await ctx.hash_password(command.password) if command.password else None

    def change(repository: Repository) -> None:
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

    def change(repository: Repository) -> None:
        credential = _credential(repository, actor, command.username)
        repository.remove_credential(credential.id)
        audit.record(repository, ctx, actor, "credential.remove", credential.name)

    await ctx.uow.run_write(change)
    return Success()


def _credential(repository: Repository, actor: Actor, name: str) -> CredentialView:
    credential = repository.credential_of(actor.account_id, rules.username_key(name))
    if credential is None:
        raise NotFound()
    return credential


GET = Operation("List the account's credentials, or get one", GET_CREDENTIALS, get_credentials)
ADD = Operation("Add a credential", ADD_CREDENTIAL, add_credential)
EDIT = Operation("Change a credential's password or permissions", EDIT_CREDENTIAL, edit_credential)
REMOVE = Operation(
    "Remove a credential (its name is free again)", REMOVE_CREDENTIAL, remove_credential
)
