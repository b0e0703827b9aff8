"""How many connections and DATA transfers `gridreseller smtp` holds at once, per client
address and in all, and how the total fits the process's open-file limit
(docs/smtp.md, "Limits").

A client address is an IPv4 address, or an IPv6 /64: one IPv6 host usually has a
whole /64 to pick source addresses from.
"""

from __future__ import annotations

import contextlib
import enum
import ipaddress
import logging
import resource
from collections import Counter
from dataclasses import dataclass

from gridreseller.config import Settings

log = logging.getLogger("gridreseller.mail")
# Descriptors kept for everything but client sockets: the listening socket, the event
# loop's own, the database connections, log files, the TLS and Python runtime.
RESERVED_DESCRIPTORS = 64
# A client session holds its socket and, while it relays, an upstream connection.
DESCRIPTORS_PER_SESSION = 2
IPV6_CLIENT_PREFIX = 64


class Full(enum.Enum):
    """Which cap refused: this client's share, or the server's total."""

    CLIENT = "client"
    TOTAL = "total"


class Quota:
    """At most `total` holders at once, at most `per_client` of them from one client."""

    def __init__(self, what: str, total: int, per_client: int) -> None:
        self.what = what
        self.total = total
        self.per_client = per_client
        self._held: Counter[str] = Counter()
        self._count = 0
        self._reported: set[str] = set()

    def take(self, client: str) -> Full | None:
        """One more for `client`, or which cap is full (nothing taken then)."""
        full = self._full(client)
        if full is not None:
            self._report(client, full)
            return full
        self._held[client] += 1
        self._count += 1
        return None

    def give_back(self, client: str) -> None:
        if self._held[client] <= 1:
            del self._held[client]
        else:
            self._held[client] -= 1
        self._count -= 1
        self._reported.discard(client)

    def held(self, client: str | None = None) -> int:
        return self._count if client is None else self._held[client]

    def _full(self, client: str) -> Full | None:
        if self._held[client] >= self.per_client:
            return Full.CLIENT
        return Full.TOTAL if self._count >= self.total else None

    def _report(self, client: str, full: Full) -> None:
        """One warning per client until it holds less again (a flood is one line)."""
        if client in self._reported:
            return
        self._reported.add(client)
        limit = self.per_client if full is Full.CLIENT else self.total
        scope = "per client address" if full is Full.CLIENT else "in all"
        log.warning("%s refused for %s: at most %d %s", self.what, client, limit, scope)


def client_key(peername: object) -> str:
    """The address a connection counts under (its /64 for IPv6)."""
    if not isinstance(peername, tuple) or not peername:
        return "-"
    try:
        address = ipaddress.ip_address(str(peername[0]).split("%", 1)[0])
    except ValueError:
        return str(peername[0])
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False)
        return str(network)
    return str(address)


@dataclass(frozen=True)
class ConnectionCaps:
    total: int
    per_client: int


def raise_open_file_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit where allowed; the soft limit
    in force afterwards (RLIM_INFINITY stays as it is)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if resource.RLIM_INFINITY not in (soft, hard) and soft < hard:
        with contextlib.suppress(ValueError, OSError):  # not allowed: the caps fit instead
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def connection_caps(wanted: ConnectionCaps, open_files: int) -> ConnectionCaps:
    """The caps that fit `open_files` descriptors: the total clamped to what they
    allow, one client's share to at most half of the total, so that other
    addresses always find room. Logs a warning when it had to clamp."""
    total = wanted.total
    if open_files != resource.RLIM_INFINITY:
        room = max(1, (open_files - RESERVED_DESCRIPTORS) // DESCRIPTORS_PER_SESSION)
        if room < total:
            log.warning(
                "open-file limit %d (RLIMIT_NOFILE; raise LimitNOFILE=): SMTP connections "
                "capped at %d instead of %d",
                open_files,
                room,
                total,
            )
            total = room
    return ConnectionCaps(total, fair_share("SMTP connections", wanted.per_client, total))


def fair_share(what: str, per_client: int, total: int) -> int:
    """One client's share, at most half of the total (logged when it is lowered)."""
    share = min(per_client, max(1, total // 2))
    if share < per_client:
        log.warning(
            "%s per client address capped at %d instead of %d (half of the total of %d)",
            what,
            share,
            per_client,
            total,
        )
    return share


@dataclass(frozen=True)
class FrontDoor:
    """What every session of one server shares: the two quotas and the deadlines."""

    connections: Quota
    transfers: Quota
    auth_seconds: float
    handshake_seconds: float


def front_door(settings: Settings) -> FrontDoor:
    """The limits of `gridreseller smtp`, the open-file limit raised first where it can be."""
    wanted = ConnectionCaps(
        settings.smtp_max_connections, settings.smtp_max_connections_per_address
    )
    caps = connection_caps(wanted, raise_open_file_limit())
    transfers = settings.smtp_max_data_transfers
    transfers_share = fair_share(
        "SMTP DATA transfers", settings.smtp_max_data_transfers_per_address, transfers
    )
    return FrontDoor(
        connections=Quota("SMTP connection", caps.total, caps.per_client),
        transfers=Quota("SMTP DATA transfer", transfers, transfers_share),
        auth_seconds=settings.smtp_auth_timeout_seconds,
        handshake_seconds=settings.smtp_tls_handshake_seconds,
    )
