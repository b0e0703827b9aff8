"""The access core: who is calling, and may they do what they ask? For every surface.

A surface hands over a username, a secret, the client's address and a purpose; it
gets back a `Principal`, or one of four refusals: Unauthorized (bad credentials),
Forbidden (the right password, but may not), Throttled, Unavailable. The rules are
the table in domain/access.py; this module adds what makes logins safe:

- the hasher runs exactly once for every attempt that is not throttled (a dummy
  hash for unknown, deleted or malformed usernames), so neither answers nor timings
  tell whether a username exists, or whether a deleted login's password was right;
- a throttled attempt runs it not at all;
- a login that passed the hasher recently with the same stored hash is recognized
  from the login cache;
- failures count in one throttle budget and land in the audit trail, with the
  surface they came through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import NoReturn

from gridreseller.domain import rules
from gridreseller.domain.access import Denial, LoginState, Principal, Purpose, StoredLogin, decide
from gridreseller.domain.api_keys import (
    SECRET_LENGTH,
    KeyPrincipal,
    account_denial,
    key_label,
    parse_key,
)
from gridreseller.domain.audit import AuditEntry, printable
from gridreseller.domain.errors import Forbidden, Throttled, Unauthorized
from gridreseller.domain.models import Actor, CustomerRecord, Surface
from gridreseller.domain.records import KeyForAuth, ThrottleFacts
from gridreseller.identity.api_keys import KeyHasher
from gridreseller.identity.login_audit import LoginSuccesses, ThrottledAttempts, login_entry
from gridreseller.identity.login_cache import LoginCache
from gridreseller.identity.passwords import Hashing
from gridreseller.identity.storage import AccessRecords, AccessTransactions
from gridreseller.identity.throttle import Attempt, LoginThrottle

# Successful logins are audited where they open a session; an API call is one request.
AUDITED_SUCCESSES = frozenset({Surface.SMTP, Surface.DASHBOARD})
SESSION_PURPOSES = frozenset({Purpose.SEND_MAIL, Purpose.DASHBOARD})
# What a recently clear pair's attempt is judged by: nothing locked, nothing to clear.
CLEAR = ThrottleFacts(None, None, None, datetime.max, 0)


def fingerprint(login: StoredLogin) -> str:
    """Changes when the login is renamed or its password changes: an SMTP session or a
    dashboard session compares it at every step."""
    material = f"{login.username_key}\x00{login.password_hash}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def account_key(username: str) -> str | None:
    """The comparison key of a name fit to look up, else None."""
    if not username or rules.has_illegal_characters(username):
        return None
    return rules.username_key(username)


class Authenticator:
    def __init__(
        self,
        uow: AccessTransactions,
        hashing: Hashing,
        login_cache: LoginCache,
        throttle: LoginThrottle,
        throttled: ThrottledAttempts,
        successes: LoginSuccesses,
        clock: Callable[[], datetime],
    ) -> None:
        self.uow = uow
        self.hashing = hashing
        self.login_cache = login_cache
        self.throttle = throttle
        self.throttled = throttled
        self.successes = successes
        self.clock = clock
        self.key_hasher = KeyHasher(uow, clock)

    async def authenticate(
        self, username: str, secret: str, client: str, purpose: Purpose
    ) -> Principal:
        """The acting principal, or Unauthorized / Forbidden / Throttled / Unavailable."""
        key = account_key(username)
        # Cut to the throttle's column either way: a name longer than any login can be
        # is still a failure to count (PostgreSQL refuses an over-long value, SQLite not).
        attempt = Attempt((key if key is not None else printable(username))[:300], client)
        if self.throttle.recently_clear(attempt):
            facts, login = CLEAR, await self.uow.run_read(lambda r: r.login_for_auth(key or ""))
        else:
            facts, login = await self.uow.run_read(lambda r: self._look_up(r, attempt, key))
        now = self.clock()
        try:
            self.throttle.check(facts, now)
        except Throttled:
            tenant = login.tenant_id if login else None
            await self.throttled.count(purpose.surface, username, client, tenant)
            raise
        if login is None or not login.live or not secret:
            await self.hashing.verify(None, secret)  # costs what a live login costs
            await self._failed(attempt, username, purpose, login)
        stored = await self._password_matches(login, secret)
        if stored is None:
            await self._failed(attempt, username, purpose, login)
        if stored != login.password_hash:
            # The hash in force now (an upgraded one) is what later rechecks compare.
            login = login._replace(password_hash=stored)
        return await self._admit(login, attempt, facts, purpose, now)

    async def authenticate_key(self, presented: str, client: str, purpose: Purpose) -> KeyPrincipal:
        """The account a presented API key acts for, with the key's scopes; or
        Unauthorized (malformed, unknown, deleted, wrong secret, or its account deleted),
        Forbidden (its account may not act now), Throttled.

        Every attempt that is not throttled computes one HMAC and one constant-time
        comparison, found or not, so timing tells nothing about which ids exist. A
        failure counts in the network's budget, and in the account's once the id names
        one: keys share the budget of their account's password logins. `purpose` is the
        asking surface's (its Surface goes into the audit trail)."""
        parsed = parse_key(presented)
        key_id = parsed.key_id if parsed else None
        found, attempt, facts = await self.uow.run_read(
            lambda r: self._look_up_key(r, key_id, client)
        )
        account = found.account if found else None
        now = self.clock()
        label = key_label(key_id)
        try:
            self.throttle.check(facts, now)
        except Throttled:
            tenant = account.tenant_id if account else None
            await self.throttled.count(purpose.surface, label, client, tenant)
            raise
        secret = parsed.secret if parsed else presented[:SECRET_LENGTH]
        digest = await self.key_hasher.digest(secret)
        right = self.key_hasher.matches(digest, found.secret_hash if found else None)
        if not right or account is None or not account.live:
            await self._failed(attempt, label, purpose, account)
        assert found is not None and key_id is not None
        principal = await self._admit(found.account, attempt, facts, purpose, now, account_denial)
        return KeyPrincipal(principal, key_id, found.scopes)

    def _look_up_key(
        self, records: AccessRecords, key_id: str | None, client: str
    ) -> tuple[KeyForAuth | None, Attempt, ThrottleFacts]:
        """The key with its account, and the throttle's state for the attempt: counted
        under the account's key when the id names one, else under the key's label."""
        found = records.key_for_auth(key_id) if key_id else None
        account = found.account.username_key if found else printable(key_label(key_id))
        attempt = Attempt(account, client)
        if self.throttle.recently_clear(attempt):
            return found, attempt, CLEAR
        return found, attempt, self.throttle.facts(records, attempt)

    async def recheck(
        self, login_id: int, expected_fingerprint: str, client: str, purpose: Purpose
    ) -> Principal:
        """A login admitted earlier, judged again on what the database says now: an
        SMTP session at each MAIL FROM, a dashboard session at each request."""
        login = await self.uow.run_read(lambda r: r.login_by_id(login_id))
        if login is None or not login.live or fingerprint(login) != expected_fingerprint:
            raise Unauthorized()
        denial = decide(login.state, purpose)
        if denial is not None:
            raise Forbidden(denial)
        return self._principal(login, client, purpose)

    def _look_up(
        self, records: AccessRecords, attempt: Attempt, key: str | None
    ) -> tuple[ThrottleFacts, StoredLogin | None]:
        """One statement: the throttle's state and the login (an empty key finds none)."""
        return records.login_attempt(attempt.account, attempt.address, attempt.lock_keys, key)

    async def check_password(self, login: CustomerRecord, secret: str, actor: Actor) -> bool:
        """Whether `secret` is this customer's password (distributor.manage auth): a login
        attempt in all but name, so it is throttled, counted and audited like one."""
        attempt = Attempt(login.username_key, actor.client)
        facts = await self.uow.run_read(lambda r: self.throttle.facts(r, attempt))
        now = self.clock()
        try:
            self.throttle.check(facts, now)
        except Throttled:
            await self.throttled.count(actor.surface, login.username, actor.client, actor.tenant_id)
            raise
        if not await self.hashing.verify(login.password_hash, secret):
            await self._count_failure(attempt, login.username, actor.surface, actor.tenant_id)
            return False
        if self.throttle.success_needs_writing(facts, now):
            await self.uow.run_write(lambda r: self.throttle.succeeded(r, attempt))
        return True

    async def _failed(
        self, attempt: Attempt, username: str, purpose: Purpose, login: StoredLogin | None
    ) -> NoReturn:
        tenant = login.tenant_id if login else None
        self.throttle.forget_clear(attempt)
        await self._count_failure(attempt, username, purpose.surface, tenant)
        raise Unauthorized()

    async def _count_failure(
        self, attempt: Attempt, username: str, surface: Surface, tenant_id: int | None
    ) -> None:
        """One failure: in the throttle's count and the audit trail, in one transaction."""
        entry = login_entry(
            self.clock(), "login.failed", surface, username, attempt.address, tenant_id
        )

        def count(records: AccessRecords) -> None:
            self.throttle.failed(records, attempt)
            records.add_audit_entry(entry)

        await self.uow.run_write(count)

    async def _password_matches(self, login: StoredLogin, secret: str) -> str | None:
        """The login cache's fast answer, else argon2 (which then fills the cache): the
        hash stored now (upgraded if it was due), or None for a wrong password."""
        if self.login_cache.recalls(login.username_key, secret, login.password_hash):
            return login.password_hash
        if not await self.hashing.verify(login.password_hash, secret):
            return None
        stored = login.password_hash
        if self.hashing.needs_rehash(stored):
            stored = await self._upgrade_hash(login, secret)
        self.login_cache.remember(login.username_key, secret, stored)
        return stored

    async def _upgrade_hash(self, login: StoredLogin, password: str) -> str:
        """Re-hash with the current parameters; only if nobody changed it meanwhile."""
        upgraded = await self.hashing.hash(password)

        def replace(records: AccessRecords) -> bool:
            return records.replace_hash(login.login_id, login.password_hash, upgraded)

        return upgraded if await self.uow.run_write(replace) else login.password_hash

    async def _admit(
        self,
        login: StoredLogin,
        attempt: Attempt,
        facts: ThrottleFacts,
        purpose: Purpose,
        now: datetime,
        rule: Callable[[LoginState], Denial | None] | None = None,
    ) -> Principal:
        """The right password (or key): clear the pair's failures, then apply the rules
        (the access table's for `purpose`, unless another `rule` is given)."""
        denial = decide(login.state, purpose) if rule is None else rule(login.state)
        surface = purpose.surface
        entries: list[AuditEntry] = []
        if denial is not None:
            fields: dict[str, object] = {"reason": denial.value}
            entries.append(self._entry("login.refused", surface, login, attempt, fields))
        elif surface in AUDITED_SUCCESSES:
            self.successes.add(self._entry("login.succeeded", surface, login, attempt))
        fresh = facts is not CLEAR  # a recently clear pair has nothing to clear or renew
        clear = fresh and self.throttle.success_needs_writing(facts, now)
        if clear or entries:

            def record(records: AccessRecords) -> None:
                if clear:
                    self.throttle.succeeded(records, attempt)
                for entry in entries:
                    records.add_audit_entry(entry)

            await self.uow.run_write(record)
        if denial is not None:
            raise Forbidden(denial)
        if fresh:  # not renewed from itself: every so often the tables are read again
            self.throttle.remember_clear(attempt)
        return self._principal(login, attempt.address, purpose)

    def _entry(
        self,
        action: str,
        surface: Surface,
        login: StoredLogin,
        attempt: Attempt,
        fields: dict[str, object] | None = None,
    ) -> AuditEntry:
        return login_entry(
            self.clock(), action, surface, login.username, attempt.address, login.tenant_id, fields
        )

    @staticmethod
    def _principal(login: StoredLogin, client: str, purpose: Purpose) -> Principal:
        # Only sessions (SMTP, the dashboard) compare fingerprints later; an API call
        # need not pay for the digest.
        stamp = fingerprint(login) if purpose in SESSION_PURPOSES else ""
        state = login.state
        return Principal(
            login.login_id,
            login.username,
            state.role,
            login.account_id,
            login.tenant_id,
            state.permissions,
            client,
            purpose,
            stamp,
        )
