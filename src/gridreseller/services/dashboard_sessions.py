"""Dashboard sessions (docs/dashboard.md): opened at login, judged again at every request, ended on
logout, after the idle or the absolute timeout, or when the access core says no.

The cookie carries a random token (256 bits); the database keeps only its SHA-256,
so a copy of the table lets nobody in. Every process reads the same rows: a login
or a logout in one is seen by all at their next request, and sessions survive a
restart. `last_seen_at` is written at most once a minute, not on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.errors import DomainError, Forbidden, Unauthorized
from gridreseller.domain.models import Actor, Success
from gridreseller.domain.records import SessionRow
from gridreseller.identity.authenticator import fingerprint
from gridreseller.identity.shared_keys import shared_key
from gridreseller.services import account
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import Records

TOUCH_EVERY = timedelta(seconds=60)
FORM_KEY = "login_form"


class SessionEnded(DomainError):
    """No session, or one that has ended: the client must log in again."""


@dataclass(frozen=True)
class Session:
    id: int
    login_id: int
    csrf_secret: str


@dataclass(frozen=True)
class Resumed:
    """A session that may go on, and the principal it acts as for this request."""

    session: Session
    principal: Principal


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(ctx: ServiceContext, principal: Principal) -> str:
    """A new session for a principal the access core just admitted; its cookie token."""
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    idle_before, opened_before = _cutoffs(ctx, now)

    def change(repository: Records) -> None:
        repository.forget_expired_sessions(idle_before, opened_before)
        repository.open_session(
            token_hash=token_hash(token),
            login_id=principal.login_id,
            fingerprint=principal.fingerprint,
            csrf_secret=secrets.token_urlsafe(32),
            client=principal.client[:64],
            now=now,
        )

    await ctx.uow.run_write(change)
    return token


async def resume(ctx: ServiceContext, token: str, client: str) -> Resumed:
    """The session of this token, if it may go on; SessionEnded otherwise (and the row
    of one that has ended is deleted)."""
    hashed = token_hash(token)
    row = await ctx.uow.run_read(lambda r: r.session_by_token(hashed))
    if row is None:
        raise SessionEnded()
    now = ctx.clock()
    if _timed_out(ctx, row, now):
        await _end(ctx, row.id)
    try:
        principal = await ctx.identity.recheck(
            row.login_id, row.fingerprint, client, Purpose.DASHBOARD
        )
    except (Unauthorized, Forbidden):
        await _end(ctx, row.id)
    if now - row.last_seen_at >= TOUCH_EVERY:
        await ctx.uow.run_write(lambda r: r.touch_session(row.id, now))
    return Resumed(Session(row.id, row.login_id, row.csrf_secret), principal)


async def end(ctx: ServiceContext, session: Session) -> None:
    """Logout: this session only."""
    await ctx.uow.run_write(lambda r: r.end_session(session.id))


async def end_token(ctx: ServiceContext, token: str) -> None:
    """The session of this token, if any (a new login replaces the browser's old one)."""
    hashed = token_hash(token)
    await ctx.uow.run_write(lambda r: r.end_session_of_token(hashed))


async def change_password(
    ctx: ServiceContext, session: Session, actor: Actor, command: account.ChangeOwnPassword
) -> Success:
    """The login's own password, changed from this session: this session goes on (with
    the new fingerprint, in the same transaction), the login's other sessions end."""
    return await account.change_own_password(
        ctx, actor, command, Purpose.DASHBOARD, after=lambda r, _login: _keep_only(r, session)
    )


async def form_key(ctx: ServiceContext) -> bytes:
    """The key of the login form's token, shared by every process."""
    return await shared_key(ctx.uow, FORM_KEY, ctx.clock)


def _keep_only(repository: Records, session: Session) -> None:
    login = repository.login_by_id(session.login_id)
    if login is None:
        raise Unauthorized()
    repository.keep_only_session(session.id, login.login_id, fingerprint(login))


def _cutoffs(ctx: ServiceContext, now: datetime) -> tuple[datetime, datetime]:
    """Sessions last seen before the first, or opened before the second, have ended."""
    idle = timedelta(minutes=ctx.settings.dashboard_idle_minutes)
    longest = timedelta(hours=ctx.settings.dashboard_max_hours)
    return now - idle, now - longest


def _timed_out(ctx: ServiceContext, row: SessionRow, now: datetime) -> bool:
    idle_before, opened_before = _cutoffs(ctx, now)
    return row.last_seen_at < idle_before or row.created_at < opened_before


async def _end(ctx: ServiceContext, session_id: int) -> NoReturn:
    await ctx.uow.run_write(lambda r: r.end_session(session_id))
    raise SessionEnded()
