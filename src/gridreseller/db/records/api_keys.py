"""API keys (docs/security.md): a primary account's keys, each with its scopes and the
keyed hash of its secret, and the lookup that authenticates one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from gridreseller.db.records.logins import LOGIN_COLUMNS, stored_login
from gridreseller.db.records.tables import api_keys, logins, owners
from gridreseller.db.statements import execute, with_driver_values
from gridreseller.domain.records import KeyForAuth, KeyRecord

_VIEW = select(
    api_keys.c.key_id, api_keys.c.name, api_keys.c.scopes, api_keys.c.created_at
).order_by(api_keys.c.created_at, api_keys.c.id)
KEYS_OF = _VIEW.where(api_keys.c.account_id == bindparam("account_id"))
KEY_OF = KEYS_OF.where(api_keys.c.key_id == bindparam("key_id"))
# The key's hash and scopes and, as for a password login, its account and the
# account's owner: one indexed lookup on every request made with a key.
KEY_FOR_AUTH = with_driver_values(
    select(api_keys.c.secret_hash, api_keys.c.scopes, *LOGIN_COLUMNS)
    .select_from(
        api_keys.join(logins, logins.c.id == api_keys.c.account_id).outerjoin(
            owners, owners.c.id == logins.c.owner_id
        )
    )
    .where(api_keys.c.key_id == bindparam("key_id"))
)


def _record(row: Sequence[Any]) -> KeyRecord:
    key_id, name, scopes, created_at = row
    return KeyRecord(key_id, name, tuple(scopes.split()), created_at)


class ApiKeyRecords:
    connection: Connection

    def keys_of(self, account_id: int) -> list[KeyRecord]:
        rows = self.connection.execute(KEYS_OF, {"account_id": account_id})
        return [_record(row) for row in rows]

    def key_of(self, account_id: int, key_id: str) -> KeyRecord | None:
        """The account's key of that id; another account's is None, like an unknown one."""
        values = {"account_id": account_id, "key_id": key_id}
        row = self.connection.execute(KEY_OF, values).first()
        return _record(row) if row else None

    def key_for_auth(self, key_id: str) -> KeyForAuth | None:
        rows = execute(self.connection, KEY_FOR_AUTH, key_id=key_id).rows
        if not rows:
            return None
        secret_hash, scopes, *login = rows[0]
        return KeyForAuth(secret_hash, frozenset(scopes.split()), stored_login(login))

    def count_keys(self, account_id: int, *, lock: bool = False) -> int:
        """How many keys the account holds. With `lock`, the account's login row is
        locked first (PostgreSQL; SQLite writes one at a time anyway), so that two
        concurrent creations cannot both pass the limit."""
        if lock:
            held = select(logins.c.id).where(logins.c.id == account_id).with_for_update()
            self.connection.execute(held)
        query = select(func.count()).where(api_keys.c.account_id == account_id)
        return int(self.connection.execute(query).scalar_one())

    def add_key(
        self,
        *,
        account_id: int,
        key_id: str,
        name: str,
        scopes: Sequence[str],
        secret_hash: str,
        now: datetime,
    ) -> None:
        self.connection.execute(
            api_keys.insert().values(
                key_id=key_id,
                account_id=account_id,
                name=name,
                scopes=" ".join(scopes),
                secret_hash=secret_hash,
                created_at=now,
                updated_at=now,
            )
        )

    def change_key(
        self,
        account_id: int,
        key_id: str,
        now: datetime,
        *,
        name: str,
        scopes: Sequence[str] | None = None,
    ) -> bool:
        """Rename the account's key, and set its scopes if given; False if the account
        has no such key."""
        values: dict[str, object] = {"name": name, "updated_at": now}
        if scopes is not None:
            values["scopes"] = " ".join(scopes)
        statement = update(api_keys).where(
            api_keys.c.account_id == account_id, api_keys.c.key_id == key_id
        )
        return bool(self.connection.execute(statement.values(values)).rowcount)

    def delete_key(self, account_id: int, key_id: str) -> bool:
        statement = delete(api_keys).where(
            api_keys.c.account_id == account_id, api_keys.c.key_id == key_id
        )
        return bool(self.connection.execute(statement).rowcount)
