"""What every service needs: the database, the hasher, the access core, settings, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from gridreseller.config import Settings
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.domain.field_rules import FieldLimits
from gridreseller.identity.authenticator import Authenticator
from gridreseller.identity.passwords import Hashing, Passwords


def utc_now() -> datetime:
    """Naive UTC, as stored: SQLite keeps no zone and PostgreSQL columns are zone-free."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class ServiceContext:
    settings: Settings
    uow: UnitOfWork
    hashing: Hashing
    identity: Authenticator
    clock: Callable[[], datetime] = utc_now

    async def hash_password(self, password: str) -> str:
        return await self.hashing.hash(password)

    def parse_context(self) -> FieldLimits:
        """What the field rules need: the password minimum, reserved domains, today."""
        settings = self.settings
        return FieldLimits(settings.min_password_length, self.clock, settings.reserved_domains)

    @property
    def passwords(self) -> Passwords:
        """The hasher itself, for threads (the CLI) that may block on it."""
        return self.hashing.passwords
