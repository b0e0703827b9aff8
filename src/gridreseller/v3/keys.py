"""`/v3/api_keys` and `/v3/scopes` (docs/api.md, "The v3 API"): JSON bodies into the
key service's commands (services/api_keys.py), its answers into SendGrid's shapes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gridreseller.domain.errors import Invalid, Problem
from gridreseller.http.answers import Answer
from gridreseller.services import api_keys
from gridreseller.services.api_keys import (
    CreateKey,
    DeleteKey,
    GetKey,
    KeyView,
    ListKeys,
    RenameKey,
    SetKeyScopes,
)
from gridreseller.services.context import ServiceContext
from gridreseller.v3.auth import V3Caller
from gridreseller.v3.responses import empty_response, json_response


async def create(ctx: ServiceContext, caller: V3Caller, body: object) -> Answer:
    fields = _object(body)
    name, scopes = _name(fields), _scopes(fields, required=False)
    _raise_problems(fields)
    created = await api_keys.create_key(ctx, caller.keys, CreateKey(name or "", scopes))
    view = created.view
    answer = {"api_key": created.key, **_key(view, scopes=True)}
    return json_response(answer, 201)


async def list_all(ctx: ServiceContext, caller: V3Caller) -> Answer:
    found = await api_keys.list_keys(ctx, caller.keys, ListKeys())
    return json_response({"result": [_key(view) for view in found.keys]})


async def get_one(ctx: ServiceContext, caller: V3Caller, key_id: str) -> Answer:
    view = await api_keys.get_key(ctx, caller.keys, GetKey(key_id))
    return json_response(_key(view, scopes=True))


async def rename(ctx: ServiceContext, caller: V3Caller, key_id: str, body: object) -> Answer:
    fields = _object(body)
    name = _name(fields)
    _raise_problems(fields)
    view = await api_keys.rename_key(ctx, caller.keys, RenameKey(key_id, name or ""))
    return json_response(_key(view))


async def replace(ctx: ServiceContext, caller: V3Caller, key_id: str, body: object) -> Answer:
    fields = _object(body)
    name, scopes = _name(fields), _scopes(fields, required=True)
    _raise_problems(fields)
    command = SetKeyScopes(key_id, name or "", scopes or ())
    view = await api_keys.set_key_scopes(ctx, caller.keys, command)
    return json_response(_key(view, scopes=True))


async def delete(ctx: ServiceContext, caller: V3Caller, key_id: str) -> Answer:
    await api_keys.delete_key(ctx, caller.keys, DeleteKey(key_id))
    return empty_response(204)


def scopes(caller: V3Caller) -> Answer:
    return json_response({"scopes": list(api_keys.scopes_of(caller.keys).scopes)})


def _key(view: KeyView, *, scopes: bool = False) -> dict[str, Any]:
    answer: dict[str, Any] = {"name": view.name, "api_key_id": view.key_id}
    if scopes:
        answer["scopes"] = list(view.scopes)
    return answer


class _Fields:
    """The body's object and what is wrong with it so far."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.problems: list[Problem] = []


def _object(body: object) -> _Fields:
    if body is None:
        return _Fields({})
    if not isinstance(body, dict):
        raise Invalid([Problem(None, "the request body must be a JSON object")])
    return _Fields(body)


def _name(fields: _Fields) -> str | None:
    name = fields.values.get("name")
    if name is None:
        fields.problems.append(Problem("name", "name is required"))
        return None
    if not isinstance(name, str):
        fields.problems.append(Problem("name", "name must be a string"))
        return None
    return name


def _scopes(fields: _Fields, *, required: bool) -> list[str] | None:
    scopes = fields.values.get("scopes")
    if scopes is None:
        if required:
            fields.problems.append(Problem("scopes", "scopes is required"))
        return None
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        fields.problems.append(Problem("scopes", "scopes must be an array of strings"))
        return None
    return scopes


def _raise_problems(fields: _Fields) -> None:
    if fields.problems:
        raise Invalid(fields.problems)
