"""One Settings object: the only place that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

DEFAULT_DATABASE_URL = "sqlite:///gridreseller.db"
ENV_PREFIX = "GRIDRESELLER_"


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
    # Dashboard sessions (§12): ended after this long without a request, and this
    # long after login whatever happens.
    dashboard_idle_minutes: int = 30
    dashboard_max_hours: int = 12

    def __post_init__(self) -> None:
        for name in _POSITIVE_FIELDS:
            if getattr(self, name) < 1:
                raise ValueError(f"{ENV_PREFIX}{name.upper()} must be a positive integer")

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
    "dashboard_idle_minutes",
    "dashboard_max_hours",
}
# Zero or less would end every dashboard session at once.
_POSITIVE_FIELDS = ("dashboard_idle_minutes", "dashboard_max_hours")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from GRIDRESELLER_* variables; unset ones keep their defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name in Settings.__dataclass_fields__:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        values[name] = _convert(name, raw)
    return Settings(**values)  # type: ignore[arg-type]


def _convert(name: str, raw: str) -> object:
    if name in _INT_FIELDS:
        try:
            return int(raw)
        except ValueError:
            qualifier = "a positive" if name in _POSITIVE_FIELDS else "an"
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be {qualifier} integer") from None
    if name == "reserved_domains":
        return tuple(d.strip().lower() for d in raw.split(",") if d.strip())
    return raw
