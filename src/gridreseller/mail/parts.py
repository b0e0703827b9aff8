"""What the mail surface's two entries use, and nothing more (bootstrap.py builds them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gridreseller.config import Settings
from gridreseller.identity.authenticator import Authenticator
from gridreseller.sending.submission import Submission
from gridreseller.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class AuthHttpParts:
    """nginx's auth_http: the access core, and the services for the credit check."""

    settings: Settings
    identity: Authenticator
    services: ServiceContext


@dataclass(frozen=True, slots=True)
class SmtpParts:
    """The embedded server: the access core, and the outbound path to its relay."""

    settings: Settings
    identity: Authenticator
    submission: Submission


@dataclass(frozen=True)
class SmtpWiring:
    """`smtp`'s server parts, and what is done when it stops."""

    parts: SmtpParts
    # At a graceful stop, after the server's own: audit entries kept in memory written.
    flush: Callable[[], Awaitable[None]]
    # Always, last: connections handed back, the engine and the threads let go.
    close: Callable[[], None]
