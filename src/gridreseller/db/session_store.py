"""Dashboard sessions and the dashboard's shared key, in the database (docs/dashboard.md).

Every process on the database reads the same rows, so a login or a logout in one
is seen by all at their next request. Only the SHA-256 of a session's token is
stored. The per-request statements (find, touch) are compiled once (statements.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gridreseller.db.statements import execute
from gridreseller.db.tables import DashboardKey, DashboardSession
from gridreseller.domain.records import SessionRow

__all__ = ["FIND", "TOUCH", "SessionRecords", "SessionRow"]

_sessions = cast(Table, DashboardSession.__table__)
_keys = cast(Table, DashboardKey.__table__)

FIND = select(
    _sessions.c.id,
    _sessions.c.login_id,
    _sessions.c.fingerprint,
    _sessions.c.csrf_secret,
    _sessions.c.created_at,
    _sessions.c.last_seen_at,
).where(_sessions.c.token_hash == bindparam("token_hash"))
TOUCH = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


class SessionRecords:
    """Session and key rows, inside the caller's transaction (the repository's part).
    FIND selects SessionRow's columns in its order."""

    connection: Connection

    def session_by_token(self, token_hash: str) -> SessionRow | None:
        rows = execute(self.connection, FIND, token_hash=token_hash).rows
        return SessionRow._make(rows[0]) if rows else None

    def open_session(
        self,
        *,
        token_hash: str,
        login_id: int,
        fingerprint: str,
        csrf_secret: str,
        client: str,
        now: datetime,
    ) -> None:
        self.connection.execute(
            _sessions.insert().values(
                token_hash=token_hash,
                login_id=login_id,
                fingerprint=fingerprint,
                csrf_secret=csrf_secret,
                client=client,
                created_at=now,
                last_seen_at=now,
            )
        )

    def touch_session(self, session_id: int, now: datetime) -> None:
        execute(self.connection, TOUCH, session_id=session_id, now=now)

    def end_session(self, session_id: int) -> None:
        self.connection.execute(delete(_sessions).where(_sessions.c.id == session_id))

    def end_session_of_token(self, token_hash: str) -> None:
        self.connection.execute(delete(_sessions).where(_sessions.c.token_hash == token_hash))

    def keep_only_session(self, session_id: int, login_id: int, fingerprint: str) -> None:
        """This session carries the login's new fingerprint; its other sessions end."""
        self.connection.execute(
            update(_sessions).where(_sessions.c.id == session_id).values(fingerprint=fingerprint)
        )
        self.connection.execute(
            delete(_sessions).where(_sessions.c.login_id == login_id, _sessions.c.id != session_id)
        )

    def forget_expired_sessions(self, idle_before: datetime, opened_before: datetime) -> None:
        """Rows past either timeout: nobody can resume them any more."""
        self.connection.execute(
            delete(_sessions).where(
                or_(
                    _sessions.c.last_seen_at < idle_before,
                    _sessions.c.created_at < opened_before,
                )
            )
        )

    def shared_key_value(self, name: str) -> str | None:
        query = select(_keys.c.value).where(_keys.c.name == name)
        value: str | None = self.connection.execute(query).scalar_one_or_none()
        return value

    def add_shared_key_unless_present(self, name: str, value: str, now: datetime) -> None:
        """INSERT ... ON CONFLICT DO NOTHING: the first process to make the key wins."""
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(_keys).values(name=name, value=value, created_at=now)
        self.connection.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
