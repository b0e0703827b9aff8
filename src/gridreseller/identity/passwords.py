"""argon2id hashing; nothing outside this module sees a hash's format."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gridreseller.config import Settings

T = TypeVar("T")


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        # Verified for unknown usernames so that they cost what known ones do.
        self._dummy = self._hasher.hash("gridreseller-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when the password matches; runs the hasher once even with no hash."""
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and bool(stored_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


class Hashing:
    """argon2 in worker threads: one login's hash never stalls the event loop."""

    def __init__(self, passwords: Passwords, executor: Executor) -> None:
        self.passwords = passwords
        self._executor = executor

    async def hash(self, password: str) -> str:
        return await self._offload(self.passwords.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await self._offload(self.passwords.verify, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.passwords.needs_rehash(stored_hash)

    async def _offload(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)
