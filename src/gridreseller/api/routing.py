"""From a path to a call and a response format."""

from __future__ import annotations

from gridreseller.api.calls import CALLS, Call

FORMATS = ("json", "xml")


def format_of_path(path: str) -> str:
    """The suffix's format where there is one; JSON otherwise."""
    suffix = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return suffix if suffix in FORMATS else "json"


def resolve(path: str) -> tuple[Call | None, str]:
    """(`call`, `format`) for `/api/<call>.<format>`; call is None when unknown."""
    fmt = format_of_path(path)
    if not path.startswith("/api/") or "." not in path:
        return None, fmt
    name, suffix = path[len("/api/") :].rsplit(".", 1)
    if suffix not in FORMATS:
        return None, fmt
    return CALLS.get(name), fmt
