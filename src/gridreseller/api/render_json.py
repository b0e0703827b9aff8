"""Results as UTF-8 JSON (docs/api.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring

from gridreseller.api.escape_probe import EscapeProbe
from gridreseller.domain.models import (
    CUSTOMER_FIELDS,
    CredentialList,
    CredentialView,
    CreditsView,
    CustomerView,
    PackageList,
    PackageView,
    Success,
)

MEDIA_TYPE = "application/json"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Every document ends with a newline, so answers pasted in a terminal do not run
# together; JSON parsers ignore it (docs/decisions.md, "A newline ends every answer").
END = b"\n"

SUCCESS = b'{"message":"success"}' + END


def render(
    result: Success | PackageList | CredentialList | CredentialView | CreditsView,
) -> bytes:
    if isinstance(result, Success):
        return SUCCESS
    if isinstance(result, CreditsView):
        return _dump(credits_fields(result))
    if isinstance(result, PackageList):
        return _dump([_package(p) for p in result.packages])
    if isinstance(result, CredentialList):
        return _dump([_credential(c) for c in result.credentials])
    return _dump(_credential(result))


def render_errors(errors: list[str]) -> bytes:
    return _dump({"message": "error", "errors": errors})


def render_message(message: str) -> bytes:
    return _dump({"message": message})


# A customer list, `[{...},{...}]`, is written a batch at a time.


def customers_start() -> bytes:
    return b"["


# A listed customer's object: constant keys, each value through the json module's own
# string encoder (what json.dumps uses with ensure_ascii=False), one format per row.
# Building a dict per row and dumping it took three times as long.
_CUSTOMER = "{" + ",".join(f'"{name}":%s' for name in CUSTOMER_FIELDS) + "}"
_CUSTOMER_PLAIN = "{" + ",".join(f'"{name}":"%s"' for name in CUSTOMER_FIELDS) + "}"
# What the json module's string encoder escapes (with ensure_ascii=False).
NEEDS_ESCAPE = EscapeProbe(r'[\x00-\x1f\\"]')


def customers_batch(views: list[CustomerView], first: bool) -> bytes:
    """The batch's objects, comma-separated."""
    if not views:
        return b""
    if NEEDS_ESCAPE.escape_each_value(views):
        objects = ",".join([_CUSTOMER % tuple(map(encode_basestring, view)) for view in views])
    else:
        objects = ",".join([_CUSTOMER_PLAIN % view for view in views])
    return objects.encode("utf-8") if first else b"," + objects.encode("utf-8")


def customers_end() -> bytes:
    return b"]" + END


def _package(package: PackageView) -> dict[str, object]:
    return {
        "name": package.name,
        "price": _number(package.price),
        "description": package.description,
        "credits": package.credits,
        "overage": _number(package.overage),
        "has_reseller": package.has_reseller,
        "has_ip": package.has_ip,
        "distributor_price": _number(package.distributor_price),
    }


def _credential(credential: CredentialView) -> dict[str, object]:
    return {
        "id": credential.id,
        "name": credential.name,
        "permissions": credential.permissions.as_dict(),
        "created_at": credential.created_at.strftime(TIME_FORMAT),
        "updated_at": credential.updated_at.strftime(TIME_FORMAT),
    }


def credits_fields(view: CreditsView) -> dict[str, str]:
    """docs/api.md, sending credits: strings, as in the legacy page; no limit: nothing."""
    limit = view.limit
    if limit is None:
        return {}
    return {
        "credit": str(limit.credit),
        "credit_remain": str(limit.remaining),
        "last_reset": limit.last_reset.isoformat(),
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# One encoder for every call: json.dumps with options builds a new one each time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dump(value: object) -> bytes:
    return _ENCODER.encode(value).encode("utf-8") + END
