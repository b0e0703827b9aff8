"""The OpenAPI 3 document of the legacy API, served at /openapi.json."""

from __future__ import annotations

from typing import Any


def openapi_document() -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "gridreseller", "version": "0.1.0"}, "paths": {}}
