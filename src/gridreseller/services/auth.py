"""Who is calling: api_user/api_key checked against §2 and §9 of the contract."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from gridreseller.domain.errors import Forbidden, Unauthorized
from gridreseller.domain.models import LoginKind
from gridreseller.domain.params import Params
from gridreseller.domain.rules import has_illegal_characters, username_key
from gridreseller.services.context import ServiceContext


class Scope(enum.Enum):
    DISTRIBUTOR = "distributor.*"
    CREDENTIALS = "credentials/*"


@dataclass(frozen=True)
class Actor:
    """The account a call acts for, and the login that made it."""

    account_id: int
    account_kind: LoginKind
    login_username: str


@dataclass(frozen=True)
class _Candidate:
    login_id: int
    kind: LoginKind
    username: str
    key: str
    password_hash: str
    live: bool
    owner_id: int | None
    owner_kind: LoginKind | None
    api_bit: bool


def authenticate(ctx: ServiceContext, params: Params, scope: Scope) -> Actor:
    """The caller's account, or Unauthorized/Forbidden. Always runs the hasher once."""
    api_user = params.get("api_user") or ""
    api_key = params.get("api_key") or ""
    lookup = api_user and not has_illegal_characters(api_user)
    candidate = _lookup(ctx, api_user) if lookup else None
    if candidate is None or not api_key:
        ctx.passwords.verify(None, api_key)  # costs what a known username costs
        raise Unauthorized()
    if not _password_matches(ctx, candidate, api_key) or not candidate.live:
        raise Unauthorized()
    return _authorize(candidate, scope)


def _password_matches(ctx: ServiceContext, candidate: _Candidate, api_key: str) -> bool:
    """The login cache's fast answer, else argon2 (which then fills the cache)."""
    if ctx.login_cache.recalls(candidate.key, api_key, candidate.password_hash):
        return True
    if not ctx.passwords.verify(candidate.password_hash, api_key):
        return False
    if candidate.live:
        ctx.login_cache.remember(candidate.key, api_key, candidate.password_hash)
    return True


def _lookup(ctx: ServiceContext, api_user: str) -> _Candidate | None:
    with ctx.uow.read() as repository:
        row = repository.login_for_auth(username_key(api_user))
    if row is None:
        return None
    login = row._mapping
    kind = LoginKind(login["kind"])
    # A customer's credential dies with its customer; a customer lives on its own row.
    owner_live = kind is not LoginKind.CREDENTIAL or login["owner_deleted_at"] is None
    return _Candidate(
        login_id=login["id"],
        kind=kind,
        username=login["username"],
        key=login["username_key"],
        password_hash=login["password_hash"],
        live=login["deleted_at"] is None and owner_live,
        owner_id=login["owner_id"],
        owner_kind=LoginKind(login["owner_kind"]) if login["owner_kind"] else None,
        api_bit=login["perm_api"] == 1,
    )


def _authorize(candidate: _Candidate, scope: Scope) -> Actor:
    if candidate.kind is LoginKind.CREDENTIAL:
        return _authorize_credential(candidate, scope)
    if scope is Scope.DISTRIBUTOR and candidate.kind is not LoginKind.DISTRIBUTOR:
        raise Forbidden("api_user is a customer account and may only call credentials/*")
    return Actor(candidate.login_id, candidate.kind, candidate.username)


def _authorize_credential(candidate: _Candidate, scope: Scope) -> Actor:
    if scope is Scope.CREDENTIALS:
        raise Forbidden("api_user is a credential; only the primary account manages credentials")
    if candidate.owner_kind is not LoginKind.DISTRIBUTOR or candidate.owner_id is None:
        raise Forbidden("api_user is a customer's credential and may not call the API")
    if not candidate.api_bit:
        raise Forbidden("api_user lacks the api permission")
    return Actor(candidate.owner_id, LoginKind.DISTRIBUTOR, candidate.username)
