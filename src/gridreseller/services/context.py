"""What every service needs: the database, the hasher, the settings and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gridreseller.config import Settings
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.services.login_cache import LoginCache
from gridreseller.services.passwords import Passwords
from gridreseller.services.throttle import LoginThrottle


def utc_now() -> datetime:
    """Naive UTC, as stored: SQLite keeps no zone and PostgreSQL columns are zone-free."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class ServiceContext:
    settings: Settings
    uow: UnitOfWork
    passwords: Passwords
    login_cache: LoginCache = field(default_factory=LoginCache)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    clock: Callable[[], datetime] = field(default=utc_now)
