"""Results as UTF-8 JSON (§3, §6-§8)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

from gridreseller.domain.models import (
    CredentialList,
    CredentialView,
    CustomerList,
    PackageList,
    PackageView,
    Result,
    Success,
)

MEDIA_TYPE = "application/json"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def render(result: Result) -> Iterator[bytes]:
    if isinstance(result, Success):
        yield _dump({"message": "success"})
    elif isinstance(result, CustomerList):
        yield from _customers(result)
    elif isinstance(result, PackageList):
        yield _dump([_package(p) for p in result.packages])
    elif isinstance(result, CredentialList):
        yield _dump([_credential(c) for c in result.credentials])
    else:
        yield _dump(_credential(result))


def render_errors(errors: list[str]) -> bytes:
    return _dump({"message": "error", "errors": errors})


def render_message(message: str) -> bytes:
    return _dump({"message": message})


def _customers(result: CustomerList) -> Iterator[bytes]:
    """`[{...},{...}]`, one object at a time, so no list is held in memory."""
    separator = b"["
    for row in result.rows:
        yield separator + _dump(row.as_dict())
        separator = b","
    yield b"[]" if separator == b"[" else b"]"


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


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
