"""A login's own account: the read-only view of a customer's account, and changing
one's own password (a customer's or a distributor's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from gridreseller.db.repository import CustomerRow, Repository
from gridreseller.domain import rules
from gridreseller.domain.access import Principal, Purpose, Role
from gridreseller.domain.errors import Invalid, NotFound, Problem, Unauthorized
from gridreseller.domain.models import CUSTOMER_FIELDS, AccountView, Actor, LoginKind, Success
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext

# Runs inside the password change's transaction, given the login's id.
AfterChange = Callable[[Repository, int], None]
CURRENT_WRONG = "current_password is not correct"
SAME_PASSWORD = "password must differ from current_password"  # noqa: S105 - a message


class ChangeOwnPassword(NamedTuple):
    current_password: str
    password: str
    confirm_password: str


async def view_account(ctx: ServiceContext, actor: Actor) -> AccountView:
    """The customer this login belongs to (a customer, or a customer's credential)."""
    if actor.account_kind is not LoginKind.CUSTOMER or actor.tenant_id is None:
        raise NotFound()
    tenant, customer = actor.tenant_id, actor.account_id
    rows = await ctx.uow.run_read(lambda r: r.customer_row_by_id(tenant, customer))
    if not rows:
        raise NotFound()
    return _account(rows[0])


async def change_own_password(
    ctx: ServiceContext,
    actor: Actor,
    command: ChangeOwnPassword,
    purpose: Purpose,
    after: AfterChange | None = None,
) -> Success:
    """`current_password`, then `password` (its rules: a reset's, checked by the
    surface with domain/field_rules.py), which must differ from it. The current
    password is judged by the access core for `purpose`, so wrong guesses count in the
    login throttle and the audit trail like failed logins."""
    if command.password == command.current_password:
        raise Invalid([Problem("password", SAME_PASSWORD)])
    try:
        principal = await ctx.identity.authenticate(
            actor.login_username, command.current_password, actor.client, purpose
        )
    except Unauthorized:
        raise Invalid([Problem("current_password", CURRENT_WRONG)]) from None
    password_hash = await ctx.hash_password(command.password)

    def change(repository: Repository) -> None:
        login = repository.login_by_id(principal.login_id)
        if login is None:  # a credential removed since it was admitted a moment ago
            raise Unauthorized()
        repository.change_login(login.login_id, ctx.clock(), password_hash=password_hash)
        fields = {"password": True}
        audit.record(repository, ctx, actor, _audit_action(principal), login.username, fields)
        if after is not None:
            after(repository, login.login_id)

    await ctx.uow.run_write(change)
    return Success()


def _audit_action(principal: Principal) -> str:
    """A distributor's own change is audited as the operator's `distributor set-password`
    is (docs/deployment.md); a customer's as `account.password`."""
    return "distributor.set_password" if principal.role is Role.DISTRIBUTOR else "account.password"


def _account(row: CustomerRow) -> AccountView:
    values = dict(zip(CUSTOMER_FIELDS, row[: len(CUSTOMER_FIELDS)], strict=True))
    profile = tuple(
        (name, str(values[name] or "")) for name in CUSTOMER_FIELDS if name in rules.PROFILE_LIMITS
    )
    return AccountView(
        username=str(values["username"]),
        email=str(values["email"] or ""),
        active=bool(values["active"]),
        website_access=bool(values["website_access"]),
        package=str(values["package"]),
        profile=profile,
    )
