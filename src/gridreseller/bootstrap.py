"""The composition root: every part built from settings, and each surface given
exactly the parts it uses.

`serve` (through asgi.create_app), `smtp`, the operator's CLI and the tests all
get their wiring here, so each gets the same database, hasher, throttle, login
cache, access core and services, wired the same way. The surfaces never see the
container: each declares what it uses (api/parts.py, v3/parts.py, web/parts.py,
mail/parts.py) and is handed that, built by the functions at the end of this module.
Only this module and db/ import gridreseller.db.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from gridreseller.api.parts import ApiParts
from gridreseller.config import ENV_PREFIX, ConfigurationError, Settings
from gridreseller.db.engine import build_engine, display_url
from gridreseller.db.migrate import upgrade
from gridreseller.db.repository import Repository
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.domain.access import Principal, Purpose
from gridreseller.identity.authenticator import Authenticator
from gridreseller.identity.login_audit import LoginSuccesses, ThrottledAttempts
from gridreseller.identity.login_cache import LoginCache
from gridreseller.identity.on_behalf import act_as_customer
from gridreseller.identity.passwords import Hashing, Passwords
from gridreseller.identity.throttle import LoginThrottle, ThrottlePolicy
from gridreseller.mail.parts import AuthHttpParts, SmtpParts, SmtpWiring
from gridreseller.sending.received import local_hostname
from gridreseller.sending.submission import Submission
from gridreseller.sending.targets import MaildirTarget, RelayTarget, relay_target
from gridreseller.sending.transports import MaildirTransport, Transport
from gridreseller.sending.upstream_pool import UpstreamPool
from gridreseller.services.context import ServiceContext, utc_now
from gridreseller.v3.parts import OnBehalf, V3Parts
from gridreseller.web.parts import DashboardParts


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

    def relay_submission(self) -> Submission | None:
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

    def release(self) -> None:
        """The event loop's thread hands back the connection it keeps for its reads."""
        self.uow.release_thread_connections()

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


# Each surface's parts ---------------------------------------------------------------


def api_parts(container: Container) -> ApiParts:
    return ApiParts(
        container.settings,
        container.identity,
        container.services,
        container.relay_submission,
        _ping(container.uow),
    )


def v3_parts(container: Container) -> V3Parts:
    return V3Parts(
        container.settings,
        container.identity,
        container.services,
        _on_behalf(container.uow),
        container.relay_submission,
    )


def dashboard_parts(container: Container) -> DashboardParts:
    return DashboardParts(container.settings, container.identity, container.services)


def auth_http_parts(container: Container) -> AuthHttpParts:
    return AuthHttpParts(container.settings, container.identity, container.services)


def smtp_parts(container: Container, target: RelayTarget, hostname: str) -> SmtpParts:
    """The embedded server's, relaying to `target` (`smtp --relay`) with an outbound
    path of its own; `hostname` names this host in the Received header."""
    submission = container.submission_for(target, hostname)
    return SmtpParts(container.settings, container.identity, submission)


def _ping(uow: UnitOfWork) -> Callable[[], Awaitable[None]]:
    async def ping() -> None:
        await uow.run_read(_select_one)

    return ping


def _select_one(repository: Repository) -> None:
    repository.ping()


def _on_behalf(uow: UnitOfWork) -> OnBehalf:
    async def on_behalf(distributor: Principal, username: str, purpose: Purpose) -> Principal:
        return await act_as_customer(uow, distributor, username, purpose)

    return on_behalf


# Each command's wiring --------------------------------------------------------------


@dataclass(frozen=True)
class HttpParts:
    """`serve`'s app: each HTTP surface's parts, the proxies whose X-Forwarded-For is
    believed, and what is done at shutdown."""

    api: ApiParts
    v3: V3Parts
    dashboard: DashboardParts
    auth_http: AuthHttpParts
    forwarded_allow_ips: tuple[str, ...]
    # The messages being relayed finished, the audit entries kept in memory written,
    # and the event loop thread's connection handed back.
    shutdown: Callable[[], Awaitable[None]]


def http_parts(container: Container) -> HttpParts:
    async def shutdown() -> None:
        await container.flush_audit()
        container.release()

    return HttpParts(
        api_parts(container),
        v3_parts(container),
        dashboard_parts(container),
        auth_http_parts(container),
        container.settings.forwarded_allow_ips,
        shutdown,
    )


def serve_parts(settings: Settings) -> HttpParts:
    """What a `serve` process (or worker) builds its app from (the CLI migrated first)."""
    return http_parts(build_container(settings))


def smtp_wiring(settings: Settings, target: RelayTarget, hostname: str) -> SmtpWiring:
    """On a database migrated to the newest revision."""
    container = build_container(settings).migrate()

    def close() -> None:
        container.release()
        container.close()

    try:
        parts = smtp_parts(container, target, hostname)
    except BaseException:
        close()
        raise
    return SmtpWiring(parts, container.flush_audit, close)


@dataclass(frozen=True)
class OperatorParts:
    """What the operator's commands use: the services on a migrated database, the relay
    `serve` would send through, and the way to let go of the database."""

    settings: Settings
    services: ServiceContext
    relay: RelayTarget | None
    close: Callable[[], None]
    # The database's URL as `serve` shows it: without its password.
    database: str


def operator_parts(settings: Settings) -> OperatorParts:
    container = build_container(settings).migrate()
    shown = display_url(settings.database_url)
    return OperatorParts(settings, container.services, container.relay, container.close, shown)
