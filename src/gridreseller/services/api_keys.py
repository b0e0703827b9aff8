"""API keys of a primary account: create (the key shown once), list, get, rename, set
scopes, delete; and the scopes a caller holds.

The caller is a `KeyCaller`: the account's own login (every scope) or one of its
keys (its scopes; each call needs its scope). Credentials hold no keys and manage
none. A key id of another account is "not found", like an unknown one. Creating,
changing and deleting are audited with the key's id and name, never the key.
Only a keyed hash of the secret is stored (identity/api_keys.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gridreseller.domain.access import Purpose
from gridreseller.domain.api_keys import (
    KEYS_CREATE,
    KEYS_DELETE,
    KEYS_READ,
    KEYS_UPDATE,
    MAX_KEYS,
    SCOPES_READ,
    KeyCaller,
    KeyPrincipal,
    TooManyKeys,
    granted_scopes,
    name_problem,
    new_key,
    ordered,
)
from gridreseller.domain.errors import Invalid, NotFound
from gridreseller.domain.models import Success
from gridreseller.domain.records import KeyRecord
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records

NOT_FOUND = "API key not found"


@dataclass(frozen=True)
class CreateKey:
    name: str
    scopes: Sequence[str] | None = None  # None: every scope the caller holds


@dataclass(frozen=True)
class ListKeys:
    pass


@dataclass(frozen=True)
class GetKey:
    key_id: str


@dataclass(frozen=True)
class RenameKey:
    key_id: str
    name: str


@dataclass(frozen=True)
class SetKeyScopes:
    """A key's name and scopes, both given (the whole key is replaced but its secret)."""

    key_id: str
    name: str
    scopes: Sequence[str]


@dataclass(frozen=True)
class DeleteKey:
    key_id: str


@dataclass(frozen=True)
class KeyView:
    key_id: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime

    @classmethod
    def of(cls, record: KeyRecord) -> KeyView:
        return cls(record.key_id, record.name, record.scopes, record.created_at)


@dataclass(frozen=True)
class CreatedKey:
    """The one answer that carries the whole key: it is never shown again."""

    key: str
    view: KeyView


@dataclass(frozen=True)
class KeyList:
    keys: list[KeyView]


@dataclass(frozen=True)
class ScopeList:
    scopes: tuple[str, ...]


async def create_key(ctx: ServiceContext, caller: KeyCaller, command: CreateKey) -> CreatedKey:
    caller.require(KEYS_CREATE)
    _check_name(command.name)
    scopes = granted_scopes(command.scopes, caller.scopes)
    key = new_key()
    secret_hash = await ctx.identity.key_hasher.digest(key.secret)
    account = caller.actor.account_id

    def change(repository: Records) -> KeyView:
        if repository.count_keys(account, lock=True) >= MAX_KEYS:
            raise TooManyKeys()
        now = ctx.clock()
        repository.add_key(
            account_id=account,
            key_id=key.key_id,
            name=command.name,
            scopes=scopes,
            secret_hash=secret_hash,
            now=now,
        )
        _audit(repository, ctx, caller, "api_key.create", key.key_id, command.name, scopes)
        return KeyView(key.key_id, command.name, scopes, now)

    view = await ctx.uow.run_write(change)
    return CreatedKey(key.presented, view)


async def list_keys(ctx: ServiceContext, caller: KeyCaller, command: ListKeys) -> KeyList:
    caller.require(KEYS_READ)
    records = await ctx.uow.run_read(lambda r: r.keys_of(caller.actor.account_id))
    return KeyList([KeyView.of(record) for record in records])


async def get_key(ctx: ServiceContext, caller: KeyCaller, command: GetKey) -> KeyView:
    caller.require(KEYS_READ)
    return KeyView.of(await ctx.uow.run_read(lambda r: _key(r, caller, command.key_id)))


async def rename_key(ctx: ServiceContext, caller: KeyCaller, command: RenameKey) -> KeyView:
    caller.require(KEYS_UPDATE)
    _check_name(command.name)

    def change(repository: Records) -> KeyView:
        _change(repository, ctx, caller, command.key_id, command.name)
        _audit(repository, ctx, caller, "api_key.rename", command.key_id, command.name)
        return KeyView.of(_key(repository, caller, command.key_id))

    return await ctx.uow.run_write(change)


async def set_key_scopes(ctx: ServiceContext, caller: KeyCaller, command: SetKeyScopes) -> KeyView:
    caller.require(KEYS_UPDATE)
    problem = name_problem(command.name)
    try:
        scopes = granted_scopes(command.scopes, caller.scopes)
    except Invalid as invalid:  # every problem of the request together
        raise Invalid([*([problem] if problem else []), *invalid.problems]) from None
    if problem:
        raise Invalid([problem])

    def change(repository: Records) -> KeyView:
        _change(repository, ctx, caller, command.key_id, command.name, scopes)
        action = "api_key.update"
        _audit(repository, ctx, caller, action, command.key_id, command.name, scopes)
        return KeyView.of(_key(repository, caller, command.key_id))

    return await ctx.uow.run_write(change)


async def delete_key(ctx: ServiceContext, caller: KeyCaller, command: DeleteKey) -> Success:
    """The row goes: the key stops working at its next request, in every process."""
    caller.require(KEYS_DELETE)

    def change(repository: Records) -> None:
        record = _key(repository, caller, command.key_id)
        repository.delete_key(caller.actor.account_id, record.key_id)
        _audit(repository, ctx, caller, "api_key.delete", record.key_id, record.name)

    await ctx.uow.run_write(change)
    return Success()


async def authenticate_key(
    ctx: ServiceContext, presented: str, client: str, purpose: Purpose
) -> KeyPrincipal:
    """The account a presented key acts for, with the key's scopes, judged on the
    account's state now (the access core's key path: identity/authenticator.py).
    `purpose` is the asking surface's; the account's own switch decides, not it."""
    return await ctx.identity.authenticate_key(presented, client, purpose)


def scopes_of(caller: KeyCaller) -> ScopeList:
    """The scopes the caller holds (a login: all of them)."""
    caller.require(SCOPES_READ)
    return ScopeList(ordered(caller.scopes))


def _check_name(name: str) -> None:
    problem = name_problem(name)
    if problem:
        raise Invalid([problem])


def _key(repository: Records, caller: KeyCaller, key_id: str) -> KeyRecord:
    record = repository.key_of(caller.actor.account_id, key_id)
    if record is None:
        raise NotFound(NOT_FOUND)
    return record


def _change(
    repository: Records,
    ctx: ServiceContext,
    caller: KeyCaller,
    key_id: str,
    name: str,
    scopes: tuple[str, ...] | None = None,
) -> None:
    account = caller.actor.account_id
    if not repository.change_key(account, key_id, ctx.clock(), name=name, scopes=scopes):
        raise NotFound(NOT_FOUND)


def _audit(
    repository: Records,
    ctx: ServiceContext,
    caller: KeyCaller,
    action: str,
    key_id: str,
    name: str,
    scopes: tuple[str, ...] | None = None,
) -> None:
    """The key by its id and name; who acted, and with which key if a key did."""
    fields: dict[str, object] = {"name": name}
    if scopes is not None:
        fields["scopes"] = list(scopes)
    if caller.key_id is not None:
        fields["by_key"] = caller.key_id
    audit.record(repository, ctx, caller.actor, action, key_id, fields)
