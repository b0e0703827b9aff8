"""Dashboard test helpers: operator actions the CLI does not have on this branch, and
looks at the session table."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select, update

from gridreseller.db.tables import DashboardSession, Login
from gridreseller.domain.rules import username_key
from gridreseller.services.context import ServiceContext
from tests.database import unit_of_work


def set_distributor_enabled(ctx: ServiceContext, username: str, enabled: bool) -> None:
    """What `gridreseller distributor disable|enable` does (docs/deployment.md): the row's
    `active` flag (the operator's command lands with issue 12)."""
    with unit_of_work(ctx).write() as repository:
        repository.connection.execute(
            update(Login).where(Login.username_key == username_key(username)).values(active=enabled)
        )


def session_rows(ctx: ServiceContext, username: str) -> int:
    """How many dashboard sessions the login of that username has."""
    with unit_of_work(ctx).read() as repository:
        query = (
            select(func.count())
            .select_from(DashboardSession)
            .join(Login, Login.id == DashboardSession.login_id)
            .where(Login.username_key == username_key(username))
        )
        return int(repository.connection.execute(query).scalar_one())


def stored_token_hashes(ctx: ServiceContext) -> set[str]:
    with unit_of_work(ctx).read() as repository:
        rows = repository.connection.execute(select(DashboardSession.token_hash)).scalars()
        return set(rows)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
