"""Logging in and the session's life, the login's own account and password, and the
sending activity and audit trail it may see."""

from __future__ import annotations

from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.errors import Problem
from gridreseller.domain.models import AccountView, CreditsView
from gridreseller.services import account, activity, audit_trail, credits, dashboard_sessions
from gridreseller.services.context import ServiceContext
from gridreseller.services.dashboard_sessions import Resumed, Session
from gridreseller.web.actions import dashboard_actor
from gridreseller.web.form_fields import FormReader, as_given, is_required, new_password
from gridreseller.web.forms import Form

# Logging in, and the session ---------------------------------------------------------


async def log_in(ctx: ServiceContext, username: str, password: str, client: str) -> Principal:
    """The principal the access core admits to the dashboard; Unauthorized, Forbidden
    or Throttled otherwise."""
    return await ctx.identity.authenticate(username, password, client, Purpose.DASHBOARD)


async def open_session(ctx: ServiceContext, principal: Principal) -> str:
    """A new session for the principal just admitted; its cookie token."""
    return await dashboard_sessions.open_session(ctx, principal)


async def resume(ctx: ServiceContext, token: str, client: str) -> Resumed:
    """The session of this token, if it may go on; SessionEnded otherwise."""
    return await dashboard_sessions.resume(ctx, token, client)


async def log_out(ctx: ServiceContext, session: Session) -> None:
    """This session only; the login's other sessions go on."""
    await dashboard_sessions.end(ctx, session)


async def form_key(ctx: ServiceContext) -> bytes:
    """The key of the login form's token, shared by every process."""
    return await dashboard_sessions.form_key(ctx)


async def end_token(ctx: ServiceContext, token: str) -> None:
    """The session of this token, if any (a browser's new login replaces its old one)."""
    await dashboard_sessions.end_token(ctx, token)


# The login's own account --------------------------------------------------------------


async def view_account(ctx: ServiceContext, principal: Principal) -> AccountView:
    return await account.view_account(ctx, dashboard_actor(principal))


async def own_credits(ctx: ServiceContext, principal: Principal) -> CreditsView:
    """The sending credits of the customer this login belongs to."""
    return await credits.own_credits(ctx, dashboard_actor(principal))


async def change_own_password(
    ctx: ServiceContext, session: Session, principal: Principal, form: Form
) -> None:
    """The login's own password, from this session: the session stays, others end."""
    reader = FormReader(form, ctx.parse_context())
    current = reader.value("current_password", as_given, required=True, empty=is_required)
    command = account.ChangeOwnPassword(current, **new_password(reader))
    new = form.get("password")
    if new and new == form.get("current_password"):
        reader.add(Problem("password", account.SAME_PASSWORD))
    reader.check()
    await dashboard_sessions.change_password(ctx, session, dashboard_actor(principal), command)


# Activity and the audit trail ----------------------------------------------------------


async def activity_of(
    ctx: ServiceContext, principal: Principal, query: activity.ActivityQuery
) -> activity.Activity:
    """Sending activity: the account's own, or one of its customers' (`query.user`)."""
    return await activity.of_actor(ctx, dashboard_actor(principal), query)


async def audit_of(
    ctx: ServiceContext, principal: Principal, query: audit_trail.AuditQuery
) -> audit_trail.AuditPage:
    """The audit entries the login may see, filtered."""
    return await audit_trail.trail(ctx, dashboard_actor(principal), query)
