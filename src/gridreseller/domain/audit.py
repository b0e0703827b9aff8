"""What an audit entry may hold: printable text, and never a secret."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from gridreseller.domain.rules import ILLEGAL

SECRET_FIELDS = frozenset({"password", "confirm_password", "api_key"})
CHANGED = "(changed)"
NO_DETAILS = "{}"  # details_json({}), for the entries (most) that have none


class AuditEntry(NamedTuple):
    """One row of the audit trail, ready to store (a named tuple: one per change)."""

    occurred_at: datetime
    distributor_id: int | None
    actor: str
    client: str
    surface: str
    action: str
    target: str
    details: str

    @classmethod
    def of(
        cls,
        *,
        occurred_at: datetime,
        distributor_id: int | None,
        actor: str,
        client: str,
        surface: str,
        action: str,
        target: str,
        fields: Mapping[str, object] | None = None,
    ) -> AuditEntry:
        """Texts made printable and cut to their columns; secrets as `(changed)`."""
        return cls(
            occurred_at=occurred_at,
            distributor_id=distributor_id,
            actor=printable(actor)[:100],
            client=printable(client)[:64],
            surface=surface,
            action=action,
            target=printable(target)[:100],
            details=details_json(fields) if fields else NO_DETAILS,
        )


def printable(text: str) -> str:
    """Control and XML-illegal characters as \\xNN escapes: a failed login's username
    is raw client input, and PostgreSQL refuses NUL in any string."""
    return ILLEGAL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


# Every character str.splitlines() (and so most line readers) breaks a line at.
LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with every line break written as a \\uXXXX escape: an audit line printed
    for an operator cannot be split into a forged second one."""
    return LINE_BREAKS.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def details_json(fields: Mapping[str, object]) -> str:
    clean = {
        name: CHANGED if name in SECRET_FIELDS else _plain(value) for name, value in fields.items()
    }
    return json.dumps(clean, ensure_ascii=False, sort_keys=True)


def _plain(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):  # a credential's permissions: an object, not its repr
        return {str(name): _plain(item) for name, item in value.items()}
    return str(value)
