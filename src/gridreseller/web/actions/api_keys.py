"""The dashboard's calls into the API key service (services/api_keys.py): the same
commands as `/v3/api_keys`, made by the session's primary login, on the dashboard
surface."""

from __future__ import annotations

from gridreseller.domain.access import Principal
from gridreseller.domain.api_keys import KeyCaller
from gridreseller.services import api_keys
from gridreseller.services.api_keys import (
    CreatedKey,
    CreateKey,
    DeleteKey,
    GetKey,
    KeyView,
    ListKeys,
    RenameKey,
    SetKeyScopes,
)
from gridreseller.services.context import ServiceContext
from gridreseller.web.forms import Form

SCOPES_FIELD = "scopes[]"


def _caller(principal: Principal) -> KeyCaller:
    return KeyCaller.login(principal)


async def list_keys(ctx: ServiceContext, principal: Principal) -> list[KeyView]:
    return (await api_keys.list_keys(ctx, _caller(principal), ListKeys())).keys


async def find_key(ctx: ServiceContext, principal: Principal, key_id: str) -> KeyView:
    return await api_keys.get_key(ctx, _caller(principal), GetKey(key_id))


async def create_key(ctx: ServiceContext, principal: Principal, form: Form) -> CreatedKey:
    command = CreateKey(form.text("name"), form.every(SCOPES_FIELD))
    return await api_keys.create_key(ctx, _caller(principal), command)


async def rename_key(ctx: ServiceContext, principal: Principal, form: Form) -> KeyView:
    command = RenameKey(form.text("id"), form.text("name"))
    return await api_keys.rename_key(ctx, _caller(principal), command)


async def set_scopes(ctx: ServiceContext, principal: Principal, form: Form) -> KeyView:
    current = await find_key(ctx, principal, form.text("id"))
    command = SetKeyScopes(current.key_id, current.name, form.every(SCOPES_FIELD))
    return await api_keys.set_key_scopes(ctx, _caller(principal), command)


async def delete_key(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    await api_keys.delete_key(ctx, _caller(principal), DeleteKey(form.text("id")))
