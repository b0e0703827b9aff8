"""What the v3 surface uses, and nothing more (bootstrap.py builds it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gridreseller.config import Settings
from gridreseller.domain.access import Principal, Purpose
from gridreseller.identity.authenticator import Authenticator
from gridreseller.sending.submission import Submission
from gridreseller.services.context import ServiceContext

# A distributor acting as one of its own live customers, named (`On-Behalf-Of`).
OnBehalf = Callable[[Principal, str, Purpose], Awaitable[Principal]]


@dataclass(frozen=True, slots=True)
class V3Parts:
    settings: Settings
    identity: Authenticator
    services: ServiceContext
    on_behalf: OnBehalf
    # The outbound path to GRIDRESELLER_RELAY, built at its first use; None without it.
    outbound: Callable[[], Submission | None]

    @property
    def submission(self) -> Submission | None:
        return self.outbound()
