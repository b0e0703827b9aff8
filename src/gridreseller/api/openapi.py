"""The OpenAPI 3.0.3 document of the legacy API, served at /openapi.json.

The document is built from tables, not written out: the endpoint table
(`http.calls.CALLS`), the response formats (`http.routing.FORMATS`), the methods
and tasks of distributor.manage (`services.manage`), the limits of `domain.rules`
and the fields of the records the renderers write (`domain.models`). Every call is
described twice per suffix (GET with a query string, POST with a form body), from
one parameter table per call.

distributor.manage multiplexes its actions over one path. Its POST body is a
`oneOf` with one exact schema per method (and task); its GET lists the union of
the parameters, constrained only where every action agrees (`method`, the login),
since an action ignores the parameters it does not take.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gridreseller import __version__
from gridreseller.api.calls import CALLS
from gridreseller.api.routing import FORMATS
from gridreseller.config import Settings
from gridreseller.domain.access import Purpose
from gridreseller.domain.errors import NotFound, Unauthorized
from gridreseller.domain.fields import (
    BillingDate,
    Bit,
    Confirmation,
    Count,
    CredentialName,
    Declaration,
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
from gridreseller.domain.models import CUSTOMER_FIELDS, CredentialView, PackageView, Permissions
from gridreseller.domain.rules import MAX_PASSWORD_LENGTH
from gridreseller.services import manage
from gridreseller.services.operations import Selector

Json = dict[str, Any]

MANAGE = "distributor.manage"
# The body is documented in one encoding: generated clients (openapi-python-client)
# break on a body offered in two. multipart/form-data with the same fields is accepted
# too, as every operation's description says.
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded",)
RESPONSE_MEDIA_TYPES: Mapping[str, str] = {"json": "application/json", "xml": "application/xml"}

# What §4 forbids in every string parameter (U+0000-U+001F, U+007F) and what XML
# cannot carry (U+FFFE, U+FFFF), as an ECMA-262/Python character class. Surrogates
# are left out: they cannot reach the server in UTF-8.
ILLEGAL_CLASS = r"\u0000-\u001f\u007f\ufffe\uffff"
CREDENTIAL_NAME_PATTERN = r"^[A-Za-z0-9_.\-@+]{1,64}$"
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


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
    """The schema of one value of a declared kind (domain/fields.py)."""
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
    """One entry per method/task of services.manage.MANAGE, in its order."""
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


# Response schemas ---------------------------------------------------------------------


_FIELD_TYPES: Mapping[str, Json] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "Decimal": {"type": "number"},
    "datetime": {"type": "string", "pattern": TIME_PATTERN, "example": "2013-01-21 16:52:01"},
    "Permissions": {"$ref": "#/components/schemas/Permissions"},
}


def record_schema(record: type[Any], element: str) -> Json:
    """A JSON object (XML element `element`) with the fields of a record (a dataclass or
    a named tuple)."""
    if dataclasses.is_dataclass(record):
        types = {f.name: str(f.type) for f in dataclasses.fields(record)}
    else:
        # With postponed annotations a named tuple's annotations are forward references.
        types = {
            name: getattr(kind, "__forward_arg__", str(kind))
            for name, kind in record.__annotations__.items()
        }
    return {
        "type": "object",
        "required": list(types),
        "properties": {name: dict(_FIELD_TYPES[kind]) for name, kind in types.items()},
        "additionalProperties": False,
        "xml": {"name": element},
    }


def envelope(message: Json, **extra: Json) -> Json:
    properties: Json = {"message": message, **extra}
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
        "xml": {"name": "result"},
    }


def component_schemas() -> Json:
    flags = {"active", "website_access"}
    permissions = record_schema(Permissions, "permissions")
    for bit in permissions["properties"].values():
        bit["enum"] = [0, 1]
    return {
        "Success": envelope({"type": "string", "enum": ["success"]}),
        "Error": envelope(
            {"type": "string", "enum": ["error"]},
            errors={
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "xml": {"name": "error"}},
                "description": "One message per problem, each naming its parameter.",
                "xml": {"wrapped": True},
            },
        ),
        "UserNotFound": envelope({"type": "string", "enum": [NotFound().message]}),
        "Customer": {
            "type": "object",
            "required": list(CUSTOMER_FIELDS),
            "properties": {
                name: {"type": "string", "enum": ["true", "false"]}
                if name in flags
                else {"type": "string"}
                for name in CUSTOMER_FIELDS
            },
            "additionalProperties": False,
            "xml": {"name": "user"},
        },
        "CustomerList": _list_of("Customer", "users"),
        "Package": record_schema(PackageView, "package"),
        "PackageList": _list_of("Package", "packages"),
        "PackageListXml": {
            "type": "object",
            "required": ["packages"],
            "properties": {"packages": _list_of("Package", "packages")},
            "additionalProperties": False,
            "xml": {"name": "result"},
        },
        "Permissions": permissions,
        "Credential": record_schema(CredentialView, "credential"),
        "CredentialList": _list_of("Credential", "credentials"),
        "Credits": {
            "type": "object",
            "description": "A customer's sending limit; empty when it has none.",
            "properties": {
                name: {"type": "string"} for name in ("credit", "credit_remain", "last_reset")
            },
            "additionalProperties": False,
            "xml": {"name": "credits"},
        },
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string", "enum": ["ok", "unavailable"]}},
        },
    }


def _list_of(item: str, element: str) -> Json:
    return {"type": "array", "items": _ref(item), "xml": {"name": element, "wrapped": True}}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _one_of(*names: str) -> Json:
    return {"oneOf": [_ref(name) for name in names]}


SUCCESS_BODIES: Mapping[str, Mapping[str, Json]] = {
    "distributor.manage": {
        "json": _one_of("Success", "CustomerList", "Credits"),
        "xml": _one_of("Success", "CustomerList", "Credits"),
    },
    "distributor.packages": {"json": _ref("PackageList"), "xml": _ref("PackageListXml")},
    "credentials/get": {
        "json": _one_of("CredentialList", "Credential"),
        "xml": _one_of("CredentialList", "Credential"),
    },
}

# status: (description, extra headers)
ERROR_STATUSES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "400": ("Invalid parameters, or an unknown method or task.", ()),
    "401": (f"Missing or wrong api_user/api_key: `{Unauthorized.message}`.", ()),
    "403": ("Authenticated, but this login may not make this call.", ()),
    "404": ("No such user for this caller.", ()),
    "405": ("An HTTP verb other than GET or POST.", ("Allow",)),
    "413": ("Request body (or, for mail.send, the message built) over the size limit.", ()),
    "415": ("A request body that is neither urlencoded nor multipart/form-data.", ()),
    "429": ("Too many failed logins: retry after the time given.", ("Retry-After",)),
    "503": (
        "The database, or for mail.send the mail relay, cannot be reached right now "
        "(or no relay is configured).",
        ("Retry-After",),
    ),
}


def component_headers() -> Json:
    def header(description: str, schema: Json, *, required: bool) -> Json:
        return {"description": description, "required": required, "schema": schema}

    return {
        "X-Content-Type-Options": header(
            "Always `nosniff`.", {"type": "string", "enum": ["nosniff"]}, required=True
        ),
        "Cache-Control": header("Always `no-store`.", {"type": "string"}, required=True),
        "Allow": header("The verbs allowed.", {"type": "string"}, required=True),
        "Retry-After": header("Seconds to wait.", {"type": "integer"}, required=True),
    }


def _headers(*names: str) -> Json:
    return {
        name: {"$ref": f"#/components/headers/{name}"}
        for name in ("X-Content-Type-Options", "Cache-Control", *names)
    }


def response_key(status: str, fmt: str, call: str) -> str:
    variant = ".manage" if status == "404" and call == MANAGE else ""
    return f"{fmt}.{status}{variant}"


def component_responses() -> Json:
    """Every error answer, once per format (and distributor.manage's bare 404)."""
    answers: Json = {}
    for fmt in FORMATS:
        media_type = RESPONSE_MEDIA_TYPES[fmt]
        for status, (description, headers) in ERROR_STATUSES.items():
            for call in (None, MANAGE) if status == "404" else (None,):
                body = _ref("Error")
                note = ""
                if call == MANAGE:
                    body = _one_of("Error", "UserNotFound")
                    note = " enable/disable/website_* answer the bare `User not found` message."
                answers[response_key(status, fmt, call or "")] = {
                    "description": description + note,
                    "headers": _headers(*headers),
                    "content": {media_type: {"schema": body}},
                }
    return answers


def responses(call: str, fmt: str) -> Json:
    success = SUCCESS_BODIES.get(call, {}).get(fmt) or _ref("Success")
    answers: Json = {
        "200": {
            "description": "Success.",
            "headers": _headers(),
            "content": {RESPONSE_MEDIA_TYPES[fmt]: {"schema": success}},
        }
    }
    for status in ERROR_STATUSES:
        answers[status] = {"$ref": f"#/components/responses/{response_key(status, fmt, call)}"}
    return answers


# The document ---------------------------------------------------------------------------


MANAGE_SUMMARY = "Manage customers: profile, password, flags, authentication"


def summary(call: str) -> str:
    operation = CALLS[call].operation
    return MANAGE_SUMMARY if isinstance(operation, Selector) else operation.summary


SCOPE_NOTES: Mapping[Purpose, str] = {
    Purpose.API_DISTRIBUTOR: "Called by a distributor (or its credential with the `api` bit).",
    Purpose.API_CREDENTIALS: "Called by a primary account (a distributor or a customer), "
    "never by a credential.",
    Purpose.SEND_MAIL_HTTP: "Sends a message through the configured relay (docs/api.md): "
    "`files[NAME]` attaches a file (a multipart file part, or raw bytes in an urlencoded "
    "body), `content[NAME]` gives it a Content-ID for `cid:` in the html. 413 for a "
    "message over the size limit; 503 when no relay is configured or it cannot take the "
    "message now.",
}


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"[./_]", name) if word]


def camel(*names: str) -> str:
    """`camel("credentials/get", "json")` -> `CredentialsGetJson`."""
    return "".join(word[:1].upper() + word[1:] for name in names for word in _words(name))


def operation_id(call: str, fmt: str, method: str) -> str:
    name = camel(call, fmt, method)
    return name[:1].lower() + name[1:]


def parameter_key(call: str, param: Param) -> str:
    return f"{camel(call)}.{param.name.removesuffix('[]')}"


def query_params(call: str, min_password: int) -> list[Param]:
    login = login_params(CALLS[call].purpose)
    operation = CALLS[call].operation
    if isinstance(operation, Selector):
        return [*login, *manage_query_params(manage_actions(min_password))]
    return [*login, *declared_params(operation.declaration, min_password)]


def body_schemas(call: str, min_password: int) -> Json:
    """The call's POST body schema, under `<Call>Params` (and one per manage action)."""
    key = f"{camel(call)}Params"
    if call != MANAGE:
        return {key: object_schema(query_params(call, min_password))}
    login = login_params(CALLS[call].purpose)
    actions = {
        f"{camel(call, action.method, action.task or '')}Params": action_schema(action, login)
        for action in manage_actions(min_password)
    }
    return {key: {"oneOf": [_ref(name) for name in actions]}, **actions}


def operations(call: str, fmt: str, min_password: int) -> Json:
    scope = CALLS[call].purpose
    description = (
        f"{SCOPE_NOTES[scope]} The `.{fmt}` suffix answers in "
        f"{'JSON' if fmt == 'json' else 'XML, declared and encoded as ISO-8859-1'}."
    )
    if call == MANAGE:
        description += " `method` (and `task` for profile) selects the action:\n\n" + "\n".join(
            f"- `{action.label}`: {action.summary}" for action in manage_actions(min_password)
        )
    common = {
        "tags": [_words(call)[0]],
        "summary": summary(call),
        "responses": responses(call, fmt),
    }
    body = _ref(f"{camel(call)}Params")
    return {
        "get": {
            **common,
            "operationId": operation_id(call, fmt, "get"),
            "description": description + " Parameters go in the query string.",
            "parameters": [
                {"$ref": f"#/components/parameters/{parameter_key(call, param)}"}
                for param in query_params(call, min_password)
            ],
        },
        "post": {
            **common,
            "operationId": operation_id(call, fmt, "post"),
            "description": description
            + " Parameters go in the form body (urlencoded, or multipart/form-data with the"
            " same fields); query string parameters are merged in (the body wins a clash).",
            "requestBody": {
                "required": True,
                "content": {media: {"schema": body} for media in FORM_MEDIA_TYPES},
            },
        },
    }


def healthz_path() -> Json:
    def answer(description: str) -> Json:
        return {
            "description": description,
            "headers": _headers(),
            "content": {"application/json": {"schema": _ref("Health")}},
        }

    return {
        "get": {
            "tags": ["service"],
            "operationId": "healthz",
            "summary": "Readiness: 200 once the database answers",
            "responses": {"200": answer("Ready."), "503": answer("Not ready.")},
        }
    }


def openapi_document(min_password_length: int | None = None) -> dict[str, Any]:
    """The whole document; `min_password_length` defaults to the settings' default."""
    min_password = (
        Settings().min_password_length if min_password_length is None else min_password_length
    )
    paths: Json = {}
    schemas = component_schemas()
    parameters: Json = {}
    for call in CALLS:
        for fmt in FORMATS:
            paths[f"/api/{call}.{fmt}"] = operations(call, fmt, min_password)
        schemas.update(body_schemas(call, min_password))
        parameters.update(
            (parameter_key(call, param), param.as_query())
            for param in query_params(call, min_password)
        )
    paths["/healthz"] = healthz_path()
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "gridreseller",
            "version": __version__,
            "description": (
                "The legacy SendGrid Web API v2 reseller customer management "
                "(`distributor.*`), multiple credentials (`credentials/*`) and `mail.send` "
                "calls. "
                "Every call takes `api_user` and `api_key`, by GET query string or POST "
                "form body (urlencoded or multipart); the suffix (`.json` or `.xml`) picks "
                "the response format. No string parameter may contain control characters."
            ),
        },
        "tags": [
            {"name": "distributor", "description": "A reseller's customers."},
            {"name": "credentials", "description": "An account's extra logins."},
            {"name": "mail", "description": "Sending mail over HTTP."},
            {"name": "service", "description": "Operations."},
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": parameters,
            "responses": component_responses(),
            "headers": component_headers(),
        },
    }
