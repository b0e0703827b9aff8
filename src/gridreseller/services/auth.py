"""Who is calling: api_user/api_key checked against §2 and §9 of the contract."""

from __future__ import annotations

import enum
from functools import partial
from typing import NamedTuple, NoReturn

from gridreseller.db.repository import Repository
from gridreseller.domain.errors import Forbidden, Throttled, Unauthorized
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.domain.params import Params
from gridreseller.domain.rules import has_illegal_characters, username_key
from gridreseller.services import audit
from gridreseller.services.context import ServiceContext


class Scope(enum.Enum):
    DISTRIBUTOR = "distributor.*"
    CREDENTIALS = "credentials/*"


class _Candidate(NamedTuple):
    login_id: int
    kind: LoginKind
    username: str
    key: str
    password_hash: str
    live: bool
    owner_id: int | None
    owner_kind: LoginKind | None
    tenant_id: int | None
    api_bit: bool


async def authenticate(
    ctx: ServiceContext, params: Params, scope: Scope, client: str = "-"
) -> Actor:
    """The caller's account, or Unauthorized/Forbidden/Throttled.

    Runs the hasher exactly once for every attempt that is not throttled (a dummy
    hash for unknown usernames), so neither answers nor timings tell whether a
    username exists; a throttled attempt runs it not at all. A login that passed
    the hasher recently with the same stored hash is recognized from the cache.
    """
    api_user = params.get("api_user") or ""
    api_key = params.get("api_key") or ""
    account = username_key(api_user)
    try:
        ctx.throttle.check(account, client)
    except Throttled:
        await audit.record_login_failure(ctx, "login.throttled", api_user, client, None)
        raise
    lookup = api_user and not has_illegal_characters(api_user)
    candidate = await ctx.uow.run_read(partial(_lookup, account)) if lookup else None
    if candidate is None or not api_key:
        await ctx.verify_password(None, api_key)  # costs what a known username costs
        await _failed(ctx, account, api_user, client, candidate)
    elif not await _password_matches(ctx, candidate, api_key) or not candidate.live:
        await _failed(ctx, account, api_user, client, candidate)
    assert candidate is not None  # _failed raised otherwise
    ctx.throttle.succeeded(account, client)
    return _authorize(candidate, scope, client)


async def _failed(
    ctx: ServiceContext, account: str, api_user: str, client: str, candidate: _Candidate | None
) -> NoReturn:
    ctx.throttle.failed(account, client)
    tenant = candidate.tenant_id if candidate else None
    await audit.record_login_failure(ctx, "login.failed", api_user, client, tenant)
    raise Unauthorized()


async def _password_matches(ctx: ServiceContext, candidate: _Candidate, api_key: str) -> bool:
    """The login cache's fast answer, else argon2 (which then fills the cache)."""
    if ctx.login_cache.recalls(candidate.key, api_key, candidate.password_hash):
        return True
    if not await ctx.verify_password(candidate.password_hash, api_key):
        return False
    if candidate.live:
        stored = candidate.password_hash
        if ctx.passwords.needs_rehash(stored):
            stored = await _upgrade_hash(ctx, candidate, api_key)
        ctx.login_cache.remember(candidate.key, api_key, stored)
    return True


async def _upgrade_hash(ctx: ServiceContext, candidate: _Candidate, password: str) -> str:
    """Re-hash with the current parameters; only if nobody changed it meanwhile."""
    upgraded = await ctx.hash_password(password)

    def replace(repository: Repository) -> bool:
        return repository.replace_hash(candidate.login_id, candidate.password_hash, upgraded)

    return upgraded if await ctx.uow.run_write(replace) else candidate.password_hash


def _lookup(key: str, repository: Repository) -> _Candidate | None:
    login = repository.login_for_auth(key)
    if login is None:
        return None
    kind = LoginKind(login.kind)
    # A customer's credential dies with its customer; a customer lives on its own row.
    owner_live = kind is not LoginKind.CREDENTIAL or login.owner_deleted_at is None
    return _Candidate(
        login_id=login.id,
        kind=kind,
        username=login.username,
        key=login.username_key,
        password_hash=login.password_hash,
        live=login.deleted_at is None and owner_live,
        owner_id=login.owner_id,
        owner_kind=LoginKind(login.owner_kind) if login.owner_kind else None,
        tenant_id=_tenant(kind, login.id, login.owner_id, login.owner_owner_id),
        api_bit=login.perm_api == 1,
    )


def _tenant(kind: LoginKind, login_id: int, owner_id: int | None, owner_owner: int | None) -> int:
    """The distributor a login belongs to (for a customer's credential, two levels up)."""
    if kind is LoginKind.DISTRIBUTOR or owner_id is None:
        return login_id
    return owner_owner if owner_owner is not None else owner_id


def _authorize(candidate: _Candidate, scope: Scope, client: str) -> Actor:
    if candidate.kind is LoginKind.CREDENTIAL:
        return _authorize_credential(candidate, scope, client)
    if scope is Scope.DISTRIBUTOR and candidate.kind is not LoginKind.DISTRIBUTOR:
        raise Forbidden("api_user is a customer account and may only call credentials/*")
    return Actor(
        candidate.login_id, candidate.kind, candidate.username, client, candidate.tenant_id
    )


def _authorize_credential(candidate: _Candidate, scope: Scope, client: str) -> Actor:
    if scope is Scope.CREDENTIALS:
        raise Forbidden("api_user is a credential; only the primary account manages credentials")
    if candidate.owner_kind is not LoginKind.DISTRIBUTOR or candidate.owner_id is None:
        raise Forbidden("api_user is a customer's credential and may not call the API")
    if not candidate.api_bit:
        raise Forbidden("api_user lacks the api permission")
    return Actor(
        candidate.owner_id, LoginKind.DISTRIBUTOR, candidate.username, client, candidate.owner_id
    )
