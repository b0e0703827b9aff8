"""What the dashboard uses, and nothing more (bootstrap.py builds it)."""

from __future__ import annotations

from dataclasses import dataclass

from gridreseller.config import Settings
from gridreseller.identity.authenticator import Authenticator
from gridreseller.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class DashboardParts:
    settings: Settings
    identity: Authenticator
    services: ServiceContext
