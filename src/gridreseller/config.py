"""One Settings object: the only place that reads the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

DEFAULT_DATABASE_URL = "sqlite:///gridreseller.db"
ENV_PREFIX = "GRIDRESELLER_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigurationError(ValueError):
    """A setting or the database it names is unusable; the message is one line for the
    operator (the CLI prints it as `error: ...` and exits with status 1)."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # OWASP's recommended minimum for argon2id: m=19 MiB, t=2, p=1.
    argon2_memory_kib: int = 19 * 1024
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    min_password_length: int = 6
    max_body_bytes: int = 1024 * 1024
    max_parameters: int = 200
    reserved_domains: tuple[str, ...] = field(default=("sendgrid.com",))
    sqlite_busy_timeout_ms: int = 30_000
    # Successful logins remembered (as HMACs) so repeated calls skip argon2; 0 disables.
    login_cache_size: int = 10_000
    login_cache_seconds: int = 300
    log_level: str = "INFO"
    worker_threads: int = 4
    # PostgreSQL connection pool, per process: size it so that processes x
    # (pool + overflow) stays under the server's max_connections.
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pool_timeout_seconds: int = 10
    db_connect_timeout_seconds: int = 5
    # Login throttling (see docs/security.md).
    throttle_account_failures: int = 30
    throttle_network_failures: int = 100
    throttle_window_seconds: int = 15 * 60
    throttle_first_backoff_seconds: int = 60
    throttle_max_backoff_seconds: int = 15 * 60
    # The HTTP server's bounds (http_server.py, docs/security.md).
    max_header_bytes: int = 64 * 1024
    header_timeout_seconds: int = 10
    body_timeout_seconds: int = 30
    send_timeout_seconds: int = 30
    max_connections: int = 1000
    keep_alive_seconds: int = 5
    # Peers whose X-Forwarded-For is believed (addresses or networks); none by default.
    forwarded_allow_ips: tuple[str, ...] = ()
    # Dashboard sessions (docs/dashboard.md): ended after this long without a request, and this
    # long after login whatever happens.
    dashboard_idle_minutes: int = 30
    dashboard_max_hours: int = 12
    # `gridreseller smtp`'s limits (docs/smtp.md, "Limits"): connections in all and per
    # client address (the total also fits the open-file limit), the time a client has
    # to authenticate and to finish a TLS handshake, and the DATA transfers held in
    # memory at once (each up to the message size limit).
    smtp_max_connections: int = 1000
    smtp_max_connections_per_address: int = 50
    smtp_auth_timeout_seconds: int = 30
    smtp_tls_handshake_seconds: int = 10
    smtp_max_data_transfers: int = 16
    smtp_max_data_transfers_per_address: int = 8
    # nginx's mail proxy (docs/smtp.md, nginx's mail proxy): /auth/mail answers only when
    # both are set.
    mail_auth_secret: str = ""
    mail_upstream: str = ""  # IP:PORT of the MTA nginx hands an admitted session to
    # The embedded submission server (docs/smtp.md): the name in its greeting and Received
    # headers (default: this host's FQDN), and how long SIGTERM waits for messages
    # in flight.
    smtp_hostname: str = ""
    smtp_shutdown_seconds: int = 30
    # Sending (docs/smtp.md, "One outbound path"): where `serve` relays mail sent over
    # HTTP, HOST:PORT or maildir:PATH (none: HTTP sending is off; `smtp --relay`
    # defaults to it); the largest message either surface takes; and how many upstream
    # connections a process keeps and shares.
    relay: str = ""
    max_message_bytes: int = 10 * 1024 * 1024
    relay_pool_size: int = 10

    def __post_init__(self) -> None:
        if self.mail_upstream:
            upstream_address(self.mail_upstream)  # ConfigurationError naming it

    @property
    def mail_auth_enabled(self) -> bool:
        return bool(self.mail_auth_secret and self.mail_upstream)

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


_INT_FIELDS = {
    "argon2_memory_kib",
    "argon2_time_cost",
    "argon2_parallelism",
    "min_password_length",
    "max_body_bytes",
    "max_parameters",
    "sqlite_busy_timeout_ms",
    "login_cache_size",
    "login_cache_seconds",
    "worker_threads",
    "db_pool_size",
    "db_max_overflow",
    "db_pool_timeout_seconds",
    "db_connect_timeout_seconds",
    "throttle_account_failures",
    "throttle_network_failures",
    "throttle_window_seconds",
    "throttle_first_backoff_seconds",
    "throttle_max_backoff_seconds",
    "max_header_bytes",
    "header_timeout_seconds",
    "body_timeout_seconds",
    "send_timeout_seconds",
    "max_connections",
    "keep_alive_seconds",
    "smtp_max_connections",
    "smtp_max_connections_per_address",
    "smtp_auth_timeout_seconds",
    "smtp_tls_handshake_seconds",
    "smtp_max_data_transfers",
    "smtp_max_data_transfers_per_address",
    "dashboard_idle_minutes",
    "dashboard_max_hours",
    "smtp_shutdown_seconds",
    "max_message_bytes",
    "relay_pool_size",
}


# Below these an integer setting makes no sense (a pool of no threads, a hash of no
# rounds); every other integer must not be negative.
_INT_MINIMUMS = {
    "argon2_memory_kib": 8,
    "argon2_time_cost": 1,
    "argon2_parallelism": 1,
    "min_password_length": 1,
    "max_body_bytes": 1,
    "max_parameters": 1,
    "worker_threads": 1,
    "db_pool_size": 1,
    "db_pool_timeout_seconds": 1,
    "db_connect_timeout_seconds": 1,
    "throttle_account_failures": 1,
    "throttle_network_failures": 1,
    "throttle_window_seconds": 1,
    "max_header_bytes": 1024,
    "header_timeout_seconds": 1,
    "body_timeout_seconds": 1,
    "send_timeout_seconds": 1,
    "max_connections": 1,
    "keep_alive_seconds": 1,
    "smtp_max_connections": 1,
    "smtp_max_connections_per_address": 1,
    "smtp_auth_timeout_seconds": 1,
    "smtp_tls_handshake_seconds": 1,
    "smtp_max_data_transfers": 1,
    "smtp_max_data_transfers_per_address": 1,
    "dashboard_idle_minutes": 1,
    "dashboard_max_hours": 1,
    "max_message_bytes": 1,
    "relay_pool_size": 1,
}
UPSTREAM_ERROR = (
    f"{ENV_PREFIX}MAIL_UPSTREAM must be IP:PORT with an IP literal "
    "(nginx takes no host names there), e.g. 127.0.0.1:25 or [::1]:25"
)


def split_host_port(raw: str) -> tuple[str, int]:
    """`host:port` or `[IPv6]:port`; ValueError when it is neither."""
    host, colon, port = raw.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(raw)
    return host, int(port)


def upstream_address(raw: str) -> tuple[str, int]:
    """GRIDRESELLER_MAIL_UPSTREAM as (IP, port), or ValueError naming the variable."""
    try:
        host, port = split_host_port(raw)
        return str(ipaddress.ip_address(host)), port
    except ValueError:
        raise ConfigurationError(UPSTREAM_ERROR) from None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from GRIDRESELLER_* variables; unset ones keep their defaults.

    Raises ConfigurationError naming the variable for a value that does not fit."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name in Settings.__dataclass_fields__:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        values[name] = _convert(name, raw)
    return Settings(**values)  # type: ignore[arg-type]


def _convert(name: str, raw: str) -> object:
    variable = ENV_PREFIX + name.upper()
    if name in _INT_FIELDS:
        return _integer(variable, raw, _INT_MINIMUMS.get(name, 0))
    if name == "reserved_domains":
        return tuple(d.strip().lower() for d in raw.split(",") if d.strip())
    if name == "forwarded_allow_ips":
        return parse_networks(raw, variable)
    if name == "log_level":
        if raw.upper() not in LOG_LEVELS:
            raise ConfigurationError(f"{variable} must be one of {', '.join(LOG_LEVELS)}")
        return raw.upper()
    return raw


def _integer(variable: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{variable} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{variable} must be at least {minimum}, not {value}")
    return value


def parse_networks(raw: str, name: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (`127.0.0.1, 10.0.0.0/8, ::1`), canonical."""
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigurationError(f"{name}: {item!r} is not an IP address or network") from None
    return tuple(networks)
