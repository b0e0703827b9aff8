"""API keys: what a key looks like, its scopes, and the rules of managing keys.

A key is `SG.<id>.<secret>`: the id (16 URL-safe characters, 96 random bits) names
the key and is not secret; the secret (43 URL-safe characters, 256 random bits, from
`secrets`) is shown once, when the key is made, and only its keyed hash is kept
(docs/security.md). A key belongs to a primary account (a distributor or a customer),
acts as that account within its scopes, and never reaches further than the account
may at the time of each request.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from gridreseller.domain import rules
from gridreseller.domain.access import Denial, LoginState, Principal, Purpose, Role, decide
from gridreseller.domain.errors import DomainError, Forbidden, Invalid, Problem
from gridreseller.domain.models import Actor

PREFIX = "SG"
ID_BYTES = 12  # 16 characters
SECRET_BYTES = 32  # 43 characters: 256 bits, twice what unguessable needs
ID_LENGTH = 16
SECRET_LENGTH = 43
_KEY = re.compile(rf"{PREFIX}\.([A-Za-z0-9_-]{{{ID_LENGTH}}})\.([A-Za-z0-9_-]{{{SECRET_LENGTH}}})")

MAIL_SEND = "mail.send"
KEYS_CREATE = "api_keys.create"
KEYS_READ = "api_keys.read"
KEYS_UPDATE = "api_keys.update"
KEYS_DELETE = "api_keys.delete"
SCOPES_READ = "scopes.read"
# Every scope, in the order answers list them.
SCOPES = (MAIL_SEND, KEYS_CREATE, KEYS_READ, KEYS_UPDATE, KEYS_DELETE, SCOPES_READ)
ALL_SCOPES = frozenset(SCOPES)

MAX_KEYS = 100  # per account
MAX_NAME = 100
PRIMARY_ROLES = frozenset({Role.DISTRIBUTOR, Role.CUSTOMER})


class NewKey(NamedTuple):
    key_id: str
    secret: str

    @property
    def presented(self) -> str:
        """The whole key, as its holder sends it."""
        return f"{PREFIX}.{self.key_id}.{self.secret}"


class MissingScope(DomainError):
    """A key calls for what its scopes do not include (403 `access forbidden`)."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"the key lacks the scope {scope}")
        self.scope = scope


class TooManyKeys(DomainError):
    """The account holds MAX_KEYS keys already (403)."""

    def __init__(self) -> None:
        super().__init__(f"an account may hold at most {MAX_KEYS} API keys")


@dataclass(frozen=True)
class KeyCaller:
    """Who manages keys: a primary account's own login (which holds every scope) or one
    of the account's keys (which holds its scopes). Credentials never get here."""

    actor: Actor
    scopes: frozenset[str]
    key_id: str | None = None  # the key making the call, if a key makes it

    @classmethod
    def login(cls, principal: Principal) -> KeyCaller:
        if principal.role not in PRIMARY_ROLES:
            raise Forbidden(Denial.CREDENTIAL_NOT_PRIMARY)
        return cls(principal.actor, ALL_SCOPES)

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise MissingScope(scope)


class KeyPrincipal(NamedTuple):
    """A request made with a live key of an account that may act: the account as the
    access core admitted it, and what the key may do."""

    principal: Principal
    key_id: str
    scopes: frozenset[str]

    @property
    def caller(self) -> KeyCaller:
        return KeyCaller(self.principal.actor, self.scopes, self.key_id)

    def require(self, scope: str) -> None:
        self.caller.require(scope)


def account_denial(state: LoginState) -> Denial | None:
    """Whether a key's account lets its keys act now. A key acts as its account, whose
    own switch stops every key of it: a distributor the operator disabled, a customer
    that is not active (the rule for sending mail, a key's use in the access table)."""
    return decide(state, Purpose.SEND_MAIL)


def key_label(key_id: str | None) -> str:
    """How a key is named where a username would be (the audit trail, the throttle):
    by its id, never by its secret."""
    return f"API key {key_id}" if key_id else "API key (malformed)"


def new_key() -> NewKey:
    return NewKey(secrets.token_urlsafe(ID_BYTES), secrets.token_urlsafe(SECRET_BYTES))


def parse_key(presented: str) -> NewKey | None:
    """The id and secret of a well-formed key, else None."""
    found = _KEY.fullmatch(presented)
    return NewKey(found[1], found[2]) if found else None


def name_problem(name: str) -> Problem | None:
    if not name:
        return Problem("name", "name is required")
    if len(name) > MAX_NAME:
        return Problem("name", f"name must be no more than {MAX_NAME} characters")
    if rules.has_illegal_characters(name):
        return Problem("name", "name must not contain control characters")
    return None


def granted_scopes(requested: Iterable[str] | None, held: frozenset[str]) -> tuple[str, ...]:
    """The scopes a new or changed key gets: what was asked for, each known and held by
    the caller; without a list, everything the caller holds. An empty list is refused
    rather than read as "everything": a key with nothing granted would be a mistake."""
    if requested is None:
        return ordered(held)
    asked = set(requested)
    problems = []
    if not asked:
        problems.append(Problem("scopes", "scopes must name at least one scope"))
    unknown = sorted(asked - ALL_SCOPES)
    if unknown:
        problems.append(Problem("scopes", f"scopes has unknown scopes: {', '.join(unknown)}"))
    beyond = ordered((asked & ALL_SCOPES) - held)
    if beyond:
        message = f"scopes may not grant scopes the caller lacks: {', '.join(beyond)}"
        problems.append(Problem("scopes", message))
    if problems:
        raise Invalid(problems)
    return ordered(asked)


def ordered(scopes: Iterable[str]) -> tuple[str, ...]:
    chosen = set(scopes)
    return tuple(scope for scope in SCOPES if scope in chosen)
