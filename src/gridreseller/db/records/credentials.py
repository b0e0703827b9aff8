"""Credentials: an account's extra logins (docs/api.md, credentials/*)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, select, update

from gridreseller.db.records.tables import logins
from gridreseller.domain.models import CredentialView, LoginKind, Permissions

_CREDENTIAL = select(
    logins.c.id,
    logins.c.username,
    logins.c.perm_email,
    logins.c.perm_web,
    logins.c.perm_api,
    logins.c.created_at,
    logins.c.updated_at,
)


CREDENTIALS_OF = _CREDENTIAL.where(
    logins.c.owner_id == bindparam("account_id"),
    logins.c.kind == LoginKind.CREDENTIAL.value,
    logins.c.deleted_at.is_(None),
).order_by(logins.c.id)
CREDENTIAL_OF = CREDENTIALS_OF.where(logins.c.username_key == bindparam("key"))


def _view(row: Row[Any, Any, Any, Any, Any, Any, Any]) -> CredentialView:
    id_, name, email, web, api, created_at, updated_at = row
    return CredentialView(id_, name, Permissions(email, web, api), created_at, updated_at)


class CredentialRecords:
    connection: Connection

    def credentials_of(self, account_id: int) -> Sequence[CredentialView]:
        rows = self.connection.execute(CREDENTIALS_OF, {"account_id": account_id})
        return [_view(row) for row in rows]

    def credential_of(self, account_id: int, key: str) -> CredentialView | None:
        row = self.connection.execute(CREDENTIAL_OF, {"account_id": account_id, "key": key}).first()
        return _view(row) if row else None

    def update_credential(
        self, credential_id: int, permissions: Permissions, password_hash: str | None, now: datetime
    ) -> None:
        values: dict[str, object] = {
            "perm_email": permissions.email,
            "perm_web": permissions.web,
            "perm_api": permissions.api,
            "updated_at": now,
        }
        if password_hash is not None:
            values["password_hash"] = password_hash
        self.connection.execute(update(logins).where(logins.c.id == credential_id).values(values))

    def remove_credential(self, credential_id: int) -> None:
        """Deletes the row, so the name is free again."""
        self.connection.execute(delete(logins).where(logins.c.id == credential_id))
