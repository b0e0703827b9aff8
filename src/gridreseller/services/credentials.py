"""credentials/get|add|edit|remove: an account's extra logins (§8)."""

from __future__ import annotations

from gridreseller.db.repository import Repository
from gridreseller.db.tables import Login
from gridreseller.db.unit_of_work import UniqueViolation
from gridreseller.domain import rules
from gridreseller.domain.errors import USERNAME_TAKEN, Invalid, NotFound
from gridreseller.domain.models import (
    Actor,
    CredentialList,
    CredentialView,
    LoginKind,
    Permissions,
    Success,
)
from gridreseller.domain.params import Params
from gridreseller.domain.rules import ErrorList
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext


async def get_credentials(
    ctx: ServiceContext, actor: Actor, params: Params
) -> CredentialList | CredentialView:
    """All of the account's credentials, or the one named by `username`."""
    name = params.get("username")
    if name and rules.has_illegal_characters(name):
        raise Invalid(["username must not contain control characters"])

    def look(repository: Repository) -> CredentialList | CredentialView:
        if not name:
            return CredentialList([_view(c) for c in repository.credentials_of(actor.account_id)])
        return _view(_credential(repository, actor, name))

    return await ctx.uow.run_read(look)


async def add_credential(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    errors = ErrorList()
    name = _credential_name(errors, params)
    password = rules.password(
        errors, params.values, ctx.settings.min_password_length, confirm=False
    )
    bits = rules.parse_permissions(errors, params.get("permissions"))
    errors.raise_if_any()
    assert name is not None and password is not None
    permissions = rules.apply_bits(Permissions(), bits)
    password_hash = await ctx.hash_password(password)

    def change(repository: Repository) -> None:
        if repository.username_taken(rules.username_key(name)):
            raise Invalid([USERNAME_TAKEN])
        repository.add(_new_login(actor, name, password_hash, permissions, ctx.clock()))
        audit.record(
            repository,
            ctx,
            actor,
            "credential.add",
            name,
            {"permissions": permissions.as_dict(), "password": True},
        )

    try:
        await ctx.uow.run_write(change)
    except UniqueViolation:
        raise Invalid([USERNAME_TAKEN]) from None
    return Success()


async def edit_credential(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """Only what is given changes; separate email/web/api bits win over `permissions`."""
    errors = ErrorList()
    name = _credential_name(errors, params)
    password = None
    if params.get("password") is not None:
        password = rules.password(
            errors, params.values, ctx.settings.min_password_length, confirm=False
        )
    bits = rules.permission_bits(errors, params.values)
    errors.raise_if_any()
    assert name is not None
    password_hash = await ctx.hash_password(password) if password else None

    def change(repository: Repository) -> None:
        credential = _credential(repository, actor, name)
        updated = rules.apply_bits(_permissions(credential), bits)
        changed = updated != _permissions(credential) or password_hash is not None
        credential.perm_email, credential.perm_web, credential.perm_api = (
            updated.email,
            updated.web,
            updated.api,
        )
        if password_hash is not None:
            credential.password_hash = password_hash
        if changed:
            credential.updated_at = ctx.clock()
            fields: dict[str, object] = {"permissions": updated.as_dict()}
            if password_hash is not None:
                fields["password"] = True
            audit.record(repository, ctx, actor, "credential.edit", credential.username, fields)

    await ctx.uow.run_write(change)
    return Success()


async def remove_credential(ctx: ServiceContext, actor: Actor, params: Params) -> Success:
    """Deletes the row, so the name is free again."""
    errors = ErrorList()
    name = _credential_name(errors, params)
    errors.raise_if_any()
    assert name is not None

    def change(repository: Repository) -> None:
        credential = _credential(repository, actor, name)
        repository.delete(credential)
        audit.record(repository, ctx, actor, "credential.remove", credential.username)

    await ctx.uow.run_write(change)
    return Success()


def _credential(repository: Repository, actor: Actor, name: str) -> Login:
    credential = repository.credential_of(actor.account_id, name)
    if credential is None:
        raise NotFound()
    return credential


def _credential_name(errors: ErrorList, params: Params) -> str | None:
    name = params.get("username")
    if name is None or name == "":
        errors.add("username is required")
        return None
    if not rules.is_credential_name(name):
        errors.add("username must be 1 to 64 letters, digits or _ . - @ +")
        return None
    return name


def _new_login(
    actor: Actor, name: str, password_hash: str, permissions: Permissions, now: object
) -> Login:
    return Login(
        kind=LoginKind.CREDENTIAL.value,
        username=name,
        username_key=rules.username_key(name),
        password_hash=password_hash,
        owner_id=actor.account_id,
        perm_email=permissions.email,
        perm_web=permissions.web,
        perm_api=permissions.api,
        created_at=now,
        updated_at=now,
    )


def _permissions(login: Login) -> Permissions:
    return Permissions(email=login.perm_email, web=login.perm_web, api=login.perm_api)


def _view(login: Login) -> CredentialView:
    return CredentialView(
        id=login.id,
        name=login.username,
        permissions=_permissions(login),
        created_at=login.created_at,
        updated_at=login.updated_at,
    )
