"""The legacy API's parameters in the OpenAPI document (api/openapi.py): each value's
schema from its declared kind (api/legacy/kinds.py), each call's parameters from its
declaration, and distributor.manage's actions from its selectors (api/legacy/manage.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gridreseller.api.legacy import manage
from gridreseller.api.legacy.fields import Declaration
from gridreseller.api.legacy.kinds import (
    BillingDate,
    Bit,
    Confirmation,
    Count,
    CredentialName,
    Email,
    Flag,
    IpAddress,
    Kind,
    LoginEmail,
    Password,
    PermissionsJson,
    Secret,
    Text,
)
from gridreseller.api.legacy.operations import Selector
from gridreseller.domain.access import Purpose
from gridreseller.domain.rules import MAX_PASSWORD_LENGTH

Json = dict[str, Any]

# What every string parameter may not contain (U+0000-U+001F, U+007F: docs/api.md) and
# what XML cannot carry (U+FFFE, U+FFFF), as an ECMA-262/Python character class.
# Surrogates are left out: they cannot reach the server in UTF-8.
ILLEGAL_CLASS = r"\u0000-\u001f\u007f\ufffe\uffff"
CREDENTIAL_NAME_PATTERN = r"^[A-Za-z0-9_.\-@+]{1,64}$"


# Parameter schemas -------------------------------------------------------------------


def text(max_length: int | None = None, *, min_length: int = 0) -> Json:
    """A string without control characters, of `min_length`..`max_length` characters."""
    upper = "" if max_length is None else max_length
    schema: Json = {"type": "string", "pattern": f"^[^{ILLEGAL_CLASS}]{{{min_length},{upper}}}$"}
    if min_length:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def email(max_length: int) -> Json:
    return {"type": "string", "format": "email", "minLength": 1, "maxLength": max_length}


def password(min_length: int) -> Json:
    return text(MAX_PASSWORD_LENGTH, min_length=min_length)


FLAG: Json = {"type": "string", "enum": ["true", "false", "1", "0"]}
BIT: Json = {"type": "string", "enum": ["0", "1"]}
ANY_STRING: Json = {"type": "string"}
# `limit`/`offset`: up to 18 decimal digits (empty: not given). Form values are strings.
COUNT: Json = {"type": "string", "pattern": "^[0-9]{0,18}$", "maxLength": 18}


@dataclass(frozen=True)
class Param:
    """One request parameter; `name[]` ones are arrays (`ip[]=a&ip[]=b`)."""

    name: str
    description: str
    schema: Json
    required: bool = False
    example: Any = None

    @property
    def value_schema(self) -> Json:
        """The schema of the whole parameter: one value, or an array of them."""
        schema = dict(self.schema)
        if self.name.endswith("[]"):
            schema = {"type": "array", "items": schema}
        schema["description"] = self.description
        if self.example is not None:
            schema["example"] = self.example
        return schema

    def as_query(self) -> Json:
        query: Json = {
            "name": self.name,
            "in": "query",
            "required": self.required,
            "description": self.description,
            "schema": {k: v for k, v in self.value_schema.items() if k != "description"},
        }
        if self.name.endswith("[]"):
            query.update(style="form", explode=True)
        return query


def login_params(purpose: Purpose) -> tuple[Param, ...]:
    who = {
        Purpose.API_DISTRIBUTOR: (
            "the distributor's username, or one of its credentials whose `api` bit is 1"
        ),
        Purpose.API_CREDENTIALS: "the primary account's username (a distributor or a customer)",
        Purpose.SEND_MAIL_HTTP: (
            "a login that may send: a distributor, an active customer, or a credential "
            "whose `api` and `email` bits are both 1"
        ),
    }[purpose]
    return (
        Param("api_user", f"Login: {who}.", {"type": "string", "minLength": 1}, True, "reseller"),
        Param(
            "api_key", "Password of `api_user`.", {"type": "string", "minLength": 1}, True, "s3cret"
        ),
    )


def kind_schema(
    kind: Kind, required: bool, min_password: int, *, empty_allowed: bool = False
) -> Json:
    """The schema of one value of a declared kind (api/legacy/kinds.py)."""
    if isinstance(kind, Password | Confirmation):
        return password(min_password)
    if isinstance(kind, Email | LoginEmail):
        return email(kind.max_length or 255)
    if isinstance(kind, Text):
        must_have_text = not empty_allowed and (required or not kind.empty_is_absent)
        return text(kind.max_length, min_length=1 if must_have_text else 0)
    if isinstance(kind, Flag):
        return {"type": "string", "enum": [*FLAG["enum"], *([""] if kind.empty_is_absent else [])]}
    return dict(KIND_SCHEMAS.get(type(kind), ANY_STRING))


KIND_SCHEMAS: Mapping[type[Kind], Json] = {
    Bit: BIT,
    Count: COUNT,
    Secret: {"type": "string", "minLength": 1},
    BillingDate: {"type": "string", "anyOf": [{"format": "date"}, {"maxLength": 0}]},
    IpAddress: {"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]},
    CredentialName: {
        "type": "string",
        "pattern": CREDENTIAL_NAME_PATTERN,
        "minLength": 1,
        "maxLength": 64,
    },
    PermissionsJson: ANY_STRING,
}


def declared_params(declaration: Declaration[Any], min_password: int) -> tuple[Param, ...]:
    """A declaration's fields as parameters: a field with aliases may be given under any
    of its names (the `any_of` of the declaration says at least one)."""
    params: list[Param] = []
    for field in declaration.fields:
        required = field.required and not field.aliases
        # Given empty, a field with aliases is read from one of them (Field._given).
        schema = kind_schema(
            field.kind, field.required, min_password, empty_allowed=bool(field.aliases)
        )
        params.append(Param(field.wire_name, field.description, schema, required, field.example))
        params.extend(
            Param(alias, f"The same, when `{field.name}` is not given.", ANY_STRING)
            for alias in field.aliases
        )
    return tuple(params)


# distributor.manage ---------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One method (and task) of distributor.manage."""

    method: str
    task: str | None
    summary: str
    params: tuple[Param, ...]
    # Sets of parameters of which at least one must be present, beyond `required`.
    any_of: tuple[tuple[str, ...], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.method} {self.task}" if self.task else self.method


def manage_actions(min_password: int) -> list[Action]:
    """One entry per method/task of api.legacy.manage.MANAGE, in its order."""
    actions = []
    for path, operation in manage.MANAGE.operations():
        declaration = operation.declaration
        params = declared_params(declaration, min_password)
        task = path[1] if len(path) > 1 else None
        actions.append(Action(path[0], task, operation.summary, params, declaration.any_of))
    return actions


def manage_query_params(actions: list[Action]) -> list[Param]:
    """GET's flat list: each parameter described per action, unconstrained (see above)."""
    methods = list(manage.MANAGE.choices)
    tasks = "; ".join(
        f"with `method={method}`: one of {', '.join(choice.choices)}"
        for method, choice in manage.MANAGE.choices.items()
        if isinstance(choice, Selector)
    )
    union: dict[str, list[str]] = {}
    for action in actions:
        for param in action.params:
            union.setdefault(param.name, []).append(f"{action.label}: {param.description}")
    return [
        Param("method", "The action.", {"type": "string", "enum": methods}, True, "profile"),
        Param("task", tasks[:1].upper() + tasks[1:] + ".", ANY_STRING, example="get"),
        *(Param(name, " ".join(notes), ANY_STRING) for name, notes in union.items()),
    ]


def action_schema(action: Action, login: tuple[Param, ...]) -> Json:
    selector = [
        Param("method", "The action.", {"type": "string", "enum": [action.method]}, True),
    ]
    if action.task is not None:
        selector.append(Param("task", "The task.", {"type": "string", "enum": [action.task]}, True))
    schema = object_schema([*login, *selector, *action.params])
    schema["title"] = action.label
    schema["description"] = action.summary
    if action.any_of:
        schema["allOf"] = [
            {"anyOf": [{"required": [name]} for name in names]} for names in action.any_of
        ]
    return schema


def object_schema(params: Iterable[Param]) -> Json:
    params = list(params)
    schema: Json = {
        "type": "object",
        "properties": {param.name: param.value_schema for param in params},
    }
    required = [param.name for param in params if param.required]
    if required:
        schema["required"] = required
    return schema
