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

import re
from collections.abc import Mapping
from typing import Any

from gridreseller import __version__
from gridreseller.api.calls import CALLS
from gridreseller.api.legacy.operations import Selector
from gridreseller.api.openapi_params import (
    CREDENTIAL_NAME_PATTERN,
    ILLEGAL_CLASS,
    Json,
    Param,
    action_schema,
    declared_params,
    login_params,
    manage_actions,
    manage_query_params,
    object_schema,
)
from gridreseller.api.openapi_responses import (
    MANAGE,
    component_headers,
    component_responses,
    component_schemas,
    headers_of,
    ref,
    responses,
)
from gridreseller.api.openapi_v3 import v3_paths, v3_schemas, v3_security_schemes
from gridreseller.api.routing import FORMATS
from gridreseller.config import Settings
from gridreseller.domain.access import Purpose

# What tests and other modules read from here.
__all__ = [
    "CREDENTIAL_NAME_PATTERN",
    "FORM_MEDIA_TYPES",
    "ILLEGAL_CLASS",
    "manage_actions",
    "openapi_document",
]

# The body is documented in one encoding: generated clients (openapi-python-client)
# break on a body offered in two. multipart/form-data with the same fields is accepted
# too, as every operation's description says.
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded",)


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
    return {key: {"oneOf": [ref(name) for name in actions]}, **actions}


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
    body = ref(f"{camel(call)}Params")
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
            "headers": headers_of(),
            "content": {"application/json": {"schema": ref("Health")}},
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
    paths.update(v3_paths())
    schemas.update(v3_schemas())
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
                "the response format. No string parameter may contain control characters. "
                "The `/v3` calls (API keys, scopes, the v3 mail send) take JSON and an "
                "`Authorization` header: a Bearer API key, or Basic with a primary "
                "account's username and password."
            ),
        },
        "tags": [
            {"name": "distributor", "description": "A reseller's customers."},
            {"name": "credentials", "description": "An account's extra logins."},
            {"name": "mail", "description": "Sending mail over HTTP."},
            {"name": "service", "description": "Operations."},
            {"name": "v3", "description": "API keys and the v3 mail send (JSON)."},
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": parameters,
            "responses": component_responses(),
            "headers": component_headers(),
            "securitySchemes": v3_security_schemes(),
        },
    }
