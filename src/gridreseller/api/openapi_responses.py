"""The legacy API's answers in the OpenAPI document (api/openapi.py): the records the
renderers write (domain/models.py), the success body of each call, and every error
status with its headers."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gridreseller.api.routing import FORMATS
from gridreseller.domain.errors import NotFound, Unauthorized
from gridreseller.domain.models import CUSTOMER_FIELDS, CredentialView, PackageView, Permissions

Json = dict[str, Any]

MANAGE = "distributor.manage"
RESPONSE_MEDIA_TYPES: Mapping[str, str] = {"json": "application/json", "xml": "application/xml"}
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


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
    return {"type": "array", "items": ref(item), "xml": {"name": element, "wrapped": True}}


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _one_of(*names: str) -> Json:
    return {"oneOf": [ref(name) for name in names]}


SUCCESS_BODIES: Mapping[str, Mapping[str, Json]] = {
    "distributor.manage": {
        "json": _one_of("Success", "CustomerList", "Credits"),
        "xml": _one_of("Success", "CustomerList", "Credits"),
    },
    "distributor.packages": {"json": ref("PackageList"), "xml": ref("PackageListXml")},
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


def headers_of(*names: str) -> Json:
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
                body = ref("Error")
                note = ""
                if call == MANAGE:
                    body = _one_of("Error", "UserNotFound")
                    note = " enable/disable/website_* answer the bare `User not found` message."
                answers[response_key(status, fmt, call or "")] = {
                    "description": description + note,
                    "headers": headers_of(*headers),
                    "content": {media_type: {"schema": body}},
                }
    return answers


def responses(call: str, fmt: str) -> Json:
    success = SUCCESS_BODIES.get(call, {}).get(fmt) or ref("Success")
    answers: Json = {
        "200": {
            "description": "Success.",
            "headers": headers_of(),
            "content": {RESPONSE_MEDIA_TYPES[fmt]: {"schema": success}},
        }
    }
    for status in ERROR_STATUSES:
        answers[status] = {"$ref": f"#/components/responses/{response_key(status, fmt, call)}"}
    return answers
