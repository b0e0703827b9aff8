"""How API keys are checked: the keyed hash of a key's secret, and the server's key.

A key's secret has 256 random bits, so a fast hash is as safe for it as a slow one
and costs microseconds instead of argon2's tens of milliseconds on every request;
argon2 is for passwords, whose entropy is low. The hash is HMAC-SHA256 under a key of
the server's: 32 random bytes made once by whichever process needs them first and
kept in the database (`dashboard_keys`, name `api_keys`), so every process on the
database agrees on it and a backup restores keys that still work. A copy of the
`api_keys` table alone then gives nobody a way to test guesses (docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime

from gridreseller.identity.shared_keys import shared_key
from gridreseller.identity.storage import SharedKeyStore, Transactions

SERVER_KEY_NAME = "api_keys"
# What an unknown, malformed or deleted key's digest is compared with: no HMAC-SHA256
# hex digest equals it, and comparing with it costs what comparing with a stored one
# does.
NO_HASH = "-" * 64


class KeyHasher:
    """HMAC-SHA256 of secrets under the server's key, read (or made) once per process."""

    def __init__(self, uow: Transactions[SharedKeyStore], clock: Callable[[], datetime]) -> None:
        self.uow = uow
        self.clock = clock
        self._key: bytes | None = None

    async def digest(self, secret: str) -> str:
        key = self._key if self._key is not None else await self._server_key()
        return hmac.new(key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    @staticmethod
    def matches(digest: str, stored: str | None) -> bool:
        """In constant time; a missing hash is compared too, and never matches."""
        return hmac.compare_digest(digest, stored if stored is not None else NO_HASH)

    async def _server_key(self) -> bytes:
        self._key = await shared_key(self.uow, SERVER_KEY_NAME, self.clock)
        return self._key
