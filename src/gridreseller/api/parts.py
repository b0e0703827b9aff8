"""What the legacy API uses, and nothing more (bootstrap.py builds it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gridreseller.config import Settings
from gridreseller.identity.authenticator import Authenticator
from gridreseller.sending.submission import Submission
from gridreseller.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class ApiParts:
    settings: Settings
    identity: Authenticator
    services: ServiceContext
    # The outbound path to GRIDRESELLER_RELAY, built at its first use; None without it.
    outbound: Callable[[], Submission | None]
    # Returns when the database answers, raises when it cannot (GET /healthz).
    ping: Callable[[], Awaitable[None]]

    @property
    def submission(self) -> Submission | None:
        """mail.send's outbound path (None when HTTP sending is not configured)."""
        return self.outbound()
