"""What every service needs: the database, the hasher, the settings and a clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from gridreseller.config import Settings
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.services.login_cache import LoginCache
from gridreseller.services.passwords import Passwords
from gridreseller.services.throttle import LoginThrottle

T = TypeVar("T")


def utc_now() -> datetime:
    """Naive UTC, as stored: SQLite keeps no zone and PostgreSQL columns are zone-free."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class ServiceContext:
    settings: Settings
    uow: UnitOfWork
    passwords: Passwords
    # Threads for argon2, the slow work that must stay off the event loop.
    executor: Executor
    login_cache: LoginCache = field(default_factory=LoginCache)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    clock: Callable[[], datetime] = field(default=utc_now)

    async def hash_password(self, password: str) -> str:
        return await self._offload(self.passwords.hash, password)

    async def verify_password(self, stored_hash: str | None, password: str) -> bool:
        """argon2 in a worker thread: one login's hash never stalls the others."""
        return await self._offload(self.passwords.verify, stored_hash, password)

    async def _offload(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, work, *args)
