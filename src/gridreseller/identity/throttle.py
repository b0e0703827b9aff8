"""Login throttling per account and per client network (OWASP ASVS 2.2.1), for every surface.

Failed logins are counted per username (by its comparison key, whether or not it
exists, so the answers tell nothing), per (username, address) pair and per client
network (IPv4 /24, IPv6 /48). Past a threshold within the window, further attempts
are refused without running the hasher, for a back-off that doubles with each lock
up to a maximum; attempts during a back-off do not extend it.

A success clears only what its own (account, address) pair did, and makes the pair
trusted for a while: a trusted pair is exempt from the locks others caused (the
account's and its network's), not from its own failures; its address is not exempt
from its network's lock when it tries other accounts.

The state lives in the database (a ThrottleStore: identity/storage.py), so one budget holds for
every process and host on it, whatever the surface (API, SMTP, dashboard).
"""

from __future__ import annotations

import functools
import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from gridreseller.config import Settings
from gridreseller.domain.errors import Throttled
from gridreseller.domain.records import ThrottleFacts
from gridreseller.identity.storage import ThrottleStore

RECENTLY_CLEAR_SECONDS = 2.0
MAX_CLEAR_PAIRS = 10_000


@dataclass(frozen=True)
class ThrottlePolicy:
    """The throttle's numbers, as the settings give them (their defaults are in
    config.py); how long a pair stays trusted is not a setting."""

    account_failures: int
    network_failures: int
    window_seconds: float
    first_backoff_seconds: float
    max_backoff_seconds: float
    trusted_seconds: float = 24 * 60 * 60

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            account_failures=settings.throttle_account_failures,
            network_failures=settings.throttle_network_failures,
            window_seconds=settings.throttle_window_seconds,
            first_backoff_seconds=settings.throttle_first_backoff_seconds,
            max_backoff_seconds=settings.throttle_max_backoff_seconds,
        )


@functools.lru_cache(maxsize=65536)
def network_of(address: str) -> str:
    """The client's network: IPv4 /24, IPv6 /48; anything else as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class Attempt(NamedTuple):
    """One login attempt as the throttle counts it."""

    account: str
    address: str

    @property
    def network(self) -> str:
        return network_of(self.address)

    @property
    def lock_keys(self) -> tuple[str, str, str]:
        """The account's, the network's and the pair's lock."""
        return (
            f"account:{self.account}",
            f"network:{self.network}",
            f"pair:{self.address}:{self.account}",
        )


class LoginThrottle:
    def __init__(
        self,
        policy: ThrottlePolicy,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self._forgotten_at: datetime | None = None
        self._monotonic = monotonic
        # Pairs that just logged in with nothing to clear: for a moment their next
        # attempt skips reading the throttle's tables (see `recently_clear`).
        self._clear: OrderedDict[tuple[str, str], float] = OrderedDict()

    def recently_clear(self, attempt: Attempt) -> bool:
        """Whether this pair logged in here within RECENTLY_CLEAR_SECONDS with nothing
        locked and nothing to clear. The hot path (a client calling again and again)
        then reads only its login; a failure of the pair ends this at once, and a lock
        set by another process is seen within that time. Failures are always counted."""
        until = self._clear.get((attempt.account, attempt.address))
        return until is not None and until > self._monotonic()

    def remember_clear(self, attempt: Attempt) -> None:
        pair = (attempt.account, attempt.address)
        self._clear[pair] = self._monotonic() + RECENTLY_CLEAR_SECONDS
        self._clear.move_to_end(pair)
        while len(self._clear) > MAX_CLEAR_PAIRS:
            self._clear.popitem(last=False)

    def forget_clear(self, attempt: Attempt) -> None:
        self._clear.pop((attempt.account, attempt.address), None)

    def facts(self, store: ThrottleStore, attempt: Attempt) -> ThrottleFacts:
        """The state an attempt is judged by (one read)."""
        return store.throttle_facts(attempt.account, attempt.address, attempt.lock_keys)

    def check(self, facts: ThrottleFacts, now: datetime) -> None:
        """Raise Throttled when this attempt may not even be tried."""
        trusted = facts.trusted_until is not None and facts.trusted_until > now
        ends = [facts.pair_locked_until]
        if not trusted:
            ends += [facts.account_locked_until, facts.network_locked_until]
        waits = [(end - now).total_seconds() for end in ends if end is not None and end > now]
        if waits:
            raise Throttled(max(1, math.ceil(max(waits))))

    def failed(self, store: ThrottleStore, attempt: Attempt) -> None:
        """Count a failure, in the caller's write transaction (with its audit entry)."""
        now = self.clock()
        store.add_login_failure(attempt.account, attempt.address, attempt.network, now)
        since = now - timedelta(seconds=self.policy.window_seconds)
        account_lock, network_lock, pair_lock = attempt.lock_keys
        counts = (
            (
                account_lock,
                store.account_failures(attempt.account, since),
                self.policy.account_failures,
            ),
            (
                network_lock,
                store.network_failures(attempt.network, since),
                self.policy.network_failures,
            ),
            (
                pair_lock,
                store.pair_failures(attempt.account, attempt.address, since),
                self.policy.account_failures,
            ),
        )
        for key, count, threshold in counts:
            self._lock_if_due(store, key, count, threshold, now)
        self._forget_old(store, since, now)

    def success_needs_writing(self, facts: ThrottleFacts, now: datetime) -> bool:
        """Whether a success has anything to clear or renew: most have not."""
        renew_after = timedelta(seconds=self.policy.trusted_seconds / 2)
        stale_trust = facts.trusted_until is None or facts.trusted_until - now < renew_after
        return bool(facts.pair_failures or facts.pair_locked_until or stale_trust)

    def succeeded(self, store: ThrottleStore, attempt: Attempt) -> None:
        """Clear what this pair did, and trust it; the account's other failures stay."""
        now = self.clock()
        account_lock, _network_lock, pair_lock = attempt.lock_keys
        store.clear_pair_failures(attempt.account, attempt.address)
        store.remove_throttle_lock(pair_lock)
        since = now - timedelta(seconds=self.policy.window_seconds)
        if store.account_failures(attempt.account, since) == 0:
            store.remove_throttle_lock(account_lock)
        until = now + timedelta(seconds=self.policy.trusted_seconds)
        store.trust_pair(attempt.account, attempt.address, until)

    def _lock_if_due(
        self, store: ThrottleStore, key: str, count: int, threshold: int, now: datetime
    ) -> None:
        lock = store.throttle_lock(key)
        if lock is not None and lock.locked_until > now:
            return  # attempts during a back-off do not extend it
        window = timedelta(seconds=self.policy.window_seconds)
        locks = lock.locks if lock is not None else 0
        if locks and now - lock.locked_until >= window:  # type: ignore[union-attr]
            locks = 0  # a quiet window since the last back-off: start over
        # Right after a back-off, one more failure locks again, for twice as long.
        if locks or count >= threshold:
            backoff = min(
                self.policy.first_backoff_seconds * 2**locks, self.policy.max_backoff_seconds
            )
            store.set_throttle_lock(key, locks + 1, now + timedelta(seconds=backoff))
        elif lock is not None:
            store.remove_throttle_lock(key)

    def _forget_old(self, store: ThrottleStore, since: datetime, now: datetime) -> None:
        """At most once a minute per process: rows that no window reaches any more."""
        if self._forgotten_at is not None and now - self._forgotten_at < timedelta(minutes=1):
            return
        self._forgotten_at = now
        store.forget_throttle_before(since, now)
