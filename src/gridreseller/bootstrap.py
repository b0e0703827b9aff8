"""The composition root: builds the service container from settings.

`serve` (through asgi.create_app), `smtp`, the operator's CLI and the tests all
build their parts here, so each gets the same database, hasher, throttle, login
cache, access core and services, wired the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from gridreseller.config import ENV_PREFIX, ConfigurationError, Settings
from gridreseller.db.engine import build_engine, display_url
from gridreseller.db.migrate import upgrade
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.identity.authenticator import Authenticator
from gridreseller.identity.login_audit import LoginSuccesses, ThrottledAttempts
from gridreseller.identity.login_cache import LoginCache
from gridreseller.identity.passwords import Hashing, Passwords
from gridreseller.identity.throttle import LoginThrottle, ThrottlePolicy
from gridreseller.sending.received import local_hostname
from gridreseller.sending.submission import Submission
from gridreseller.sending.targets import MaildirTarget, RelayTarget, relay_target
from gridreseller.sending.transports import MaildirTransport, Transport
from gridreseller.sending.upstream_pool import UpstreamPool
from gridreseller.services.context import ServiceContext, utc_now


@dataclass
class Container:
    settings: Settings
    uow: UnitOfWork
    hashing: Hashing
    login_cache: LoginCache
    throttle: LoginThrottle
    throttled: ThrottledAttempts
    successes: LoginSuccesses
    identity: Authenticator
    services: ServiceContext
    executors: tuple[ThreadPoolExecutor, ...]
    # GRIDRESELLER_RELAY, parsed; None when HTTP sending is not configured.
    relay: RelayTarget | None = None
    _submission: Submission | None = field(default=None, repr=False)

    @property
    def submission(self) -> Submission | None:
        """The outbound path to GRIDRESELLER_RELAY (built at first use), or None."""
        if self._submission is None and self.relay is not None:
            self._submission = self.submission_for(self.relay)
        return self._submission

    def submission_for(self, target: RelayTarget, hostname: str | None = None) -> Submission:
        """An outbound path to `target` with a transport of its own (`smtp --relay`,
        tests); `hostname` names this host in the Received header."""
        name = hostname or local_hostname(self.settings)
        transport = self._transport(target, name)
        successes = self.successes
        return Submission(self.services, transport, name, successes.add, successes.count)

    def _transport(self, target: RelayTarget, hostname: str) -> Transport:
        if isinstance(target, MaildirTarget):
            return MaildirTransport(target)
        return UpstreamPool(target, hostname, size=self.settings.relay_pool_size)

    def migrate(self) -> Container:
        """Bring the schema to the newest revision (every command does, first)."""
        upgrade(self.uow.engine, self.settings.log_level)
        return self

    async def flush_audit(self) -> None:
        """At shutdown: the messages being relayed finished (their entries too) and the
        relay connections closed, then the entries still kept in memory written."""
        if self._submission is not None:
            await self._submission.close()
        await self.throttled.flush()
        await self.successes.flush()

    def close(self) -> None:
        self.uow.engine.dispose()
        for executor in self.executors:
            executor.shutdown(wait=False)


def build_container(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    passwords: Passwords | None = None,
) -> Container:
    """Every part, built once; `clock` and `passwords` are the tests' to replace."""
    engine = build_engine(settings)
    # PostgreSQL round trips get as many threads as the pool has connections, apart
    # from argon2's: a burst of first logins must not queue anybody's database work.
    database_threads = ThreadPoolExecutor(
        settings.db_pool_size + settings.db_max_overflow, thread_name_prefix="gridreseller-db"
    )
    # A few threads hash: more only contend for the CPU.
    hashing_threads = ThreadPoolExecutor(
        settings.worker_threads, thread_name_prefix="gridreseller-argon2"
    )
    uow = UnitOfWork(engine, database_threads, settings.sqlite_busy_timeout_ms / 1000)
    hashing = Hashing(passwords or Passwords(settings), hashing_threads)
    login_cache = LoginCache(settings.login_cache_size, settings.login_cache_seconds)
    throttle = LoginThrottle(ThrottlePolicy.from_settings(settings), clock)
    throttled = ThrottledAttempts(uow, clock)
    successes = LoginSuccesses(uow, clock)
    identity = Authenticator(uow, hashing, login_cache, throttle, throttled, successes, clock)
    return Container(
        settings=settings,
        uow=uow,
        hashing=hashing,
        login_cache=login_cache,
        throttle=throttle,
        throttled=throttled,
        successes=successes,
        identity=identity,
        services=ServiceContext(settings, uow, hashing, identity, clock),
        executors=(database_threads, hashing_threads),
        relay=configured_relay(settings),
    )


def configured_relay(settings: Settings) -> RelayTarget | None:
    """GRIDRESELLER_RELAY as a target; ConfigurationError naming it when unusable."""
    if not settings.relay:
        return None
    try:
        return relay_target(settings.relay, f"{ENV_PREFIX}RELAY")
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def database_display_url(url: str) -> str:
    """The database URL with its password hidden, for the CLI to say what it opened."""
    return display_url(url)
