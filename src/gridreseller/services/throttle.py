"""Login throttling per account and per client network (OWASP ASVS 2.2.1).

Failed logins are counted per username (case-insensitively, whether or not it
exists, so the answers tell nothing) and per client network (IPv4 /24, IPv6 /48).
Past a threshold within the window, further attempts get 429 without running the
hasher, for a back-off that doubles with each lock up to a maximum. Attempts during
a back-off do not extend it. A success resets the account's count, and marks the
(account, address) pair as trusted for a while: a client that logged in from an
address keeps working while the account is attacked from elsewhere.

State is per process (in memory); with N processes an attacker gets at most N
times the budget before every process has locked the key.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from gridreseller.config import Settings
from gridreseller.domain.errors import Throttled

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class ThrottlePolicy:
    account_failures: int = 30
    network_failures: int = 100
    window_seconds: float = 15 * 60
    first_backoff_seconds: float = 60
    max_backoff_seconds: float = 15 * 60
    trusted_seconds: float = 24 * 60 * 60
    max_keys: int = 100_000

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            account_failures=settings.throttle_account_failures,
            network_failures=settings.throttle_network_failures,
            window_seconds=settings.throttle_window_seconds,
            first_backoff_seconds=settings.throttle_first_backoff_seconds,
            max_backoff_seconds=settings.throttle_max_backoff_seconds,
        )


@dataclass
class _Counter:
    failures: deque[float] = field(default_factory=deque)
    locks: int = 0
    locked_until: float = 0.0


def network_of(address: str) -> str:
    """The client's network: IPv4 /24, IPv6 /48; anything else as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class LoginThrottle:
    def __init__(
        self, policy: ThrottlePolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self.clock = clock
        self._counters: OrderedDict[str, _Counter] = OrderedDict()
        self._trusted: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, account: str, address: str) -> None:
        """Raise Throttled when this attempt may not even be tried."""
        now = self.clock()
        with self._lock:
            if self._is_trusted(account, address, now):
                return
            waits = [
                self._counters[key].locked_until - now
                for key in self._keys(account, address)
                if key in self._counters and self._counters[key].locked_until > now
            ]
        if waits:
            raise Throttled(max(1, math.ceil(max(waits))))

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        account_key, network_key = self._keys(account, address)
        with self._lock:
            self._count(account_key, self.policy.account_failures, now)
            self._count(network_key, self.policy.network_failures, now)

    def succeeded(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            self._counters.pop(_account_key(account), None)
            self._trusted[(account, address)] = now + self.policy.trusted_seconds
            self._trusted.move_to_end((account, address))
            _bound(self._trusted, self.policy.max_keys)

    def _keys(self, account: str, address: str) -> tuple[str, str]:
        return _account_key(account), f"network:{network_of(address)}"

    def _is_trusted(self, account: str, address: str, now: float) -> bool:
        until = self._trusted.get((account, address))
        return until is not None and until > now

    def _count(self, key: str, threshold: int, now: float) -> None:
        counter = self._counters.get(key) or _Counter()
        self._counters[key] = counter
        self._counters.move_to_end(key)
        if counter.locked_until > now:
            return  # attempts during a back-off do not extend it
        window = self.policy.window_seconds
        if counter.locks and now - counter.locked_until >= window:
            counter.locks = 0  # a quiet window since the last back-off: start over
        counter.failures.append(now)
        while counter.failures and counter.failures[0] <= now - window:
            counter.failures.popleft()
        # Right after a back-off, one more failure locks again, for twice as long.
        if counter.locks or len(counter.failures) >= threshold:
            backoff = self.policy.first_backoff_seconds * 2**counter.locks
            counter.locks += 1
            counter.locked_until = now + min(backoff, self.policy.max_backoff_seconds)
        _bound(self._counters, self.policy.max_keys)


def _account_key(account: str) -> str:
    return f"account:{account}"


def _bound(table: OrderedDict[K, V], limit: int) -> None:
    """Forget the least recently touched keys beyond the limit."""
    while len(table) > limit:
        table.popitem(last=False)
