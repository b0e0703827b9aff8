"""The `/v3` calls in the OpenAPI document (docs/api.md, "The v3 API"): JSON bodies,
SendGrid's error shape, and the two security schemes (a Bearer API key, or Basic with
a primary account's username and password)."""

from __future__ import annotations

from typing import Any

from gridreseller.domain.api_keys import MAX_NAME, SCOPES
from gridreseller.messages.smtpapi import MAX_RECIPIENTS
from gridreseller.messages.v3_body import MAX_CATEGORIES, MAX_PERSONALIZATIONS

Json = dict[str, Any]
SECURITY: list[Json] = [{"bearerAuth": []}, {"basicAuth": []}]
ERROR_STATUSES = {
    "400": "Invalid body: every problem, each with its field path.",
    "401": "Missing, unknown, malformed or deleted key, or a wrong password.",
    "403": "A scope the key lacks, a login that may not, or a refused On-Behalf-Of.",
    "404": "Unknown path, or an API key id this account does not hold.",
    "405": "A verb the path does not take.",
    "413": "Body over the limit.",
    "415": "A body that is not application/json.",
    "429": "Throttled after failed logins; see Retry-After.",
    "503": "Database or mail relay unavailable; see Retry-After.",
}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: Json, required: tuple[str, ...] = ()) -> Json:
    schema: Json = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _strings(description: str) -> Json:
    return {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": description,
    }


NAME: Json = {"type": "string", "minLength": 1, "maxLength": MAX_NAME}
SCOPE_LIST: Json = {"type": "array", "items": {"type": "string", "enum": list(SCOPES)}}
KEY_ID: Json = {"type": "string", "description": "The key's id (the part after `SG.`)."}


def v3_schemas() -> Json:
    return {
        "V3Errors": _object(
            {
                "errors": {
                    "type": "array",
                    "items": _object(
                        {
                            "field": {"type": "string", "nullable": True},
                            "message": {"type": "string"},
                        },
                        ("field", "message"),
                    ),
                }
            },
            ("errors",),
        ),
        "ApiKeyCreate": _object({"name": NAME, "scopes": {**SCOPE_LIST, "minItems": 1}}, ("name",)),
        "ApiKeyCreated": _object(
            {
                "api_key": {"type": "string"},
                "api_key_id": KEY_ID,
                "name": NAME,
                "scopes": SCOPE_LIST,
            },
            ("api_key", "api_key_id", "name", "scopes"),
        ),
        "ApiKeyList": _object(
            {"result": {"type": "array", "items": _ref("ApiKeyNamed")}}, ("result",)
        ),
        "ApiKey": _object(
            {"name": NAME, "api_key_id": KEY_ID, "scopes": SCOPE_LIST},
            ("name", "api_key_id", "scopes"),
        ),
        "ApiKeyNamed": _object({"name": NAME, "api_key_id": KEY_ID}, ("name", "api_key_id")),
        "ApiKeyName": _object({"name": NAME}, ("name",)),
        "ApiKeyReplace": _object(
            {"name": NAME, "scopes": {**SCOPE_LIST, "minItems": 1}}, ("name", "scopes")
        ),
        "ScopeList": _object({"scopes": SCOPE_LIST}, ("scopes",)),
        "EmailAddress": _object(
            {"email": {"type": "string", "format": "email"}, "name": {"type": "string"}},
            ("email",),
        ),
        "Personalization": _object(
            {
                "to": {"type": "array", "minItems": 1, "items": _ref("EmailAddress")},
                "cc": {"type": "array", "items": _ref("EmailAddress")},
                "bcc": {"type": "array", "items": _ref("EmailAddress")},
                "subject": {"type": "string"},
                "headers": _strings("Headers of this message, over the body's."),
                "substitutions": _strings("Key -> text, replaced in subject and content."),
                "custom_args": _strings("Recorded with the sent message."),
            },
            ("to",),
        ),
        "Content": _object(
            {
                "type": {"type": "string", "enum": ["text/plain", "text/html"]},
                "value": {"type": "string", "minLength": 1},
            },
            ("type", "value"),
        ),
        "MailAttachment": _object(
            {
                "content": {"type": "string", "description": "The file, base64."},
                "filename": {"type": "string"},
                "type": {"type": "string", "description": "Media type, e.g. text/csv."},
                "disposition": {"type": "string", "enum": ["attachment", "inline"]},
                "content_id": {"type": "string", "description": "Required for inline."},
            },
            ("content", "filename"),
        ),
        "V3Mail": v3_mail_schema(),
    }


def v3_mail_schema() -> Json:
    ignored = {"type": "object", "description": "Accepted and ignored."}
    return _object(
        {
            "personalizations": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_PERSONALIZATIONS,
                "items": _ref("Personalization"),
                "description": f"One message each; at most {MAX_RECIPIENTS} recipients in all.",
            },
            "from": _ref("EmailAddress"),
            "reply_to": _ref("EmailAddress"),
            "subject": {
                "type": "string",
                "description": "Required unless every personalization has one.",
            },
            "content": {"type": "array", "minItems": 1, "items": _ref("Content")},
            "attachments": {"type": "array", "items": _ref("MailAttachment")},
            "headers": _strings("Extra headers of every message."),
            "categories": {
                "type": "array",
                "maxItems": MAX_CATEGORIES,
                "items": {"type": "string"},
            },
            "custom_args": _strings("Recorded with each sent message."),
            "template_id": {"type": "string", "description": "Not supported: refused."},
            "send_at": {"type": "integer", "description": "A future time is refused."},
            "batch_id": {"type": "string", "description": "Accepted and ignored."},
            "ip_pool_name": {"type": "string", "description": "Accepted and ignored."},
            "asm": ignored,
            "tracking_settings": ignored,
            "mail_settings": _object({"sandbox_mode": _object({"enable": {"type": "boolean"}})}),
        },
        ("personalizations", "from", "content"),
    )


def v3_security_schemes() -> Json:
    return {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, `SG.<id>.<secret>`.",
        },
        "basicAuth": {
            "type": "http",
            "scheme": "basic",
            "description": "A primary account's username and password.",
        },
    }


def _answers(success: str, description: str, schema: str | None, **headers: Json) -> Json:
    answer: Json = {"description": description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": _ref(schema)}}
    if headers:
        answer["headers"] = headers
    answers = {success: answer}
    for status, words in ERROR_STATUSES.items():
        answers[status] = {
            "description": words,
            "content": {"application/json": {"schema": _ref("V3Errors")}},
        }
    return answers


ON_BEHALF_OF: Json = {
    "name": "On-Behalf-Of",
    "in": "header",
    "required": False,
    "description": "A distributor acts as this live customer of its own.",
    "schema": {"type": "string"},
}
KEY_PATH_ID: Json = {
    "name": "api_key_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
}


def _operation(
    operation_id: str, summary: str, answers: Json, body: str | None = None, key: bool = False
) -> Json:
    operation: Json = {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["v3"],
        "security": SECURITY,
        "parameters": [ON_BEHALF_OF, *([KEY_PATH_ID] if key else [])],
        "responses": answers,
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return operation


def v3_paths() -> Json:
    message_id = {"description": "The first message's queue id.", "schema": {"type": "string"}}
    sent = _answers("202", "Sent: no body.", None, **{"X-Message-Id": message_id})
    sent["200"] = {"description": "Sandbox mode: validated, nothing sent; no body."}
    return {
        "/v3/api_keys": {
            "post": _operation(
                "v3_api_keys_create",
                "Create an API key (shown once)",
                _answers("201", "Created.", "ApiKeyCreated"),
                "ApiKeyCreate",
            ),
            "get": _operation(
                "v3_api_keys_list",
                "List the account's API keys",
                _answers("200", "The keys.", "ApiKeyList"),
            ),
        },
        "/v3/api_keys/{api_key_id}": {
            "get": _operation(
                "v3_api_keys_get", "One API key", _answers("200", "The key.", "ApiKey"), key=True
            ),
            "patch": _operation(
                "v3_api_keys_rename",
                "Rename an API key",
                _answers("200", "Renamed.", "ApiKeyNamed"),
                "ApiKeyName",
                key=True,
            ),
            "put": _operation(
                "v3_api_keys_replace",
                "Set an API key's name and scopes",
                _answers("200", "Changed.", "ApiKey"),
                "ApiKeyReplace",
                key=True,
            ),
            "delete": _operation(
                "v3_api_keys_delete",
                "Delete an API key",
                _answers("204", "Deleted: no body.", None),
                key=True,
            ),
        },
        "/v3/scopes": {
            "get": _operation(
                "v3_scopes_list", "The caller's scopes", _answers("200", "The scopes.", "ScopeList")
            ),
        },
        "/v3/mail/send": {
            "post": _operation("v3_mail_send", "Send mail (SendGrid v3 body)", sent, "V3Mail"),
        },
    }
