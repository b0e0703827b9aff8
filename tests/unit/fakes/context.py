"""A service context on the in-memory fake: the real hasher, access core and clock,
the fake's transactions in place of the database's."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import cast

from gridreseller.config import Settings
from gridreseller.identity.authenticator import Authenticator
from gridreseller.identity.login_audit import LoginSuccesses, ThrottledAttempts
from gridreseller.identity.login_cache import LoginCache
from gridreseller.identity.passwords import Hashing, Passwords
from gridreseller.identity.storage import AccessTransactions
from gridreseller.identity.throttle import LoginThrottle, ThrottlePolicy
from gridreseller.services.context import ServiceContext
from gridreseller.services.storage import ServiceTransactions
from tests.unit.fakes.records import FakeTransactions


def fake_context(
    transactions: FakeTransactions, clock: Callable[[], datetime], hashing_threads: Executor
) -> ServiceContext:
    """A context whose services run on `transactions`.

    The fake holds the stores of the services these tests run (api_keys, senders,
    credentials), each checked by mypy in records.py; the context's types name every
    store, hence the two casts. A service reaching for a store the fake does not hold
    fails with AttributeError, never quietly."""
    settings = Settings(argon2_memory_kib=1024, argon2_time_cost=1)  # cheap, as the suite's
    hashing = Hashing(Passwords(settings), hashing_threads)
    throttle = LoginThrottle(ThrottlePolicy.from_settings(settings), clock)
    identity = Authenticator(
        cast(AccessTransactions, transactions),
        hashing,
        LoginCache(settings.login_cache_size, settings.login_cache_seconds),
        throttle,
        ThrottledAttempts(transactions, clock),
        LoginSuccesses(transactions, clock),
        clock,
    )
    uow = cast(ServiceTransactions, transactions)
    return ServiceContext(settings, uow, hashing, identity, clock)
