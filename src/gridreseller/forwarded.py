"""X-Forwarded-For, believed only from the reverse proxies the operator names (docs/deployment.md).

By default no peer is trusted and the header means nothing. From a trusted peer,
the client is the right-most address of X-Forwarded-For that is not itself a
trusted proxy: each proxy appends the address it got the request from, so what
lies to the left of the first untrusted hop could have been written by anybody.
Entries that do not parse as an IP address are skipped.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
HEADER = b"x-forwarded-for"
# Peers judged are remembered: a proxy's address repeats on every request.
_REMEMBERED_PEERS = 1024


class ForwardedFor:
    def __init__(self, networks: Iterable[str]) -> None:
        self.networks = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        self._peers: dict[str, bool] = {}

    def apply(self, scope: Scope) -> Scope:
        """The scope, with the forwarded client in place of a trusted peer's address."""
        peer = scope.get("client")
        if not peer or not self._trusted_peer(peer[0]):
            return scope
        values = [value for name, value in scope["headers"] if name == HEADER]
        client = self.client(values)
        return scope if client is None else {**scope, "client": (client, 0)}

    def client(self, values: list[bytes]) -> str | None:
        """The right-most untrusted address in these header values (in their order)."""
        entries = [e.strip() for value in values for e in value.decode("latin-1").split(",")]
        left_most: IpAddress | None = None
        for entry in reversed(entries):
            address = _parse(entry)
            if address is None:
                continue
            if not self._trusted(address):
                return str(address)
            left_most = address
        # Every hop a trusted proxy: the farthest one is the best we know.
        return None if left_most is None else str(left_most)

    def _trusted_peer(self, peer: str) -> bool:
        known = self._peers.get(peer)
        if known is None:
            address = _parse(peer)
            known = address is not None and self._trusted(address)
            if len(self._peers) >= _REMEMBERED_PEERS:
                self._peers.clear()
            self._peers[peer] = known
        return known

    def _trusted(self, address: IpAddress) -> bool:
        return any(address in network for network in self.networks)


def _parse(text: str) -> IpAddress | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address
