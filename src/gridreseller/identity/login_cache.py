"""Remembers logins that passed argon2 so repeated calls skip the slow hash.

An entry is keyed by an HMAC of (username, password) under a per-process random
key, so the table holds no password. It stores the hash the password was verified
against, and is used only while the row read from the database on this very
request still carries that hash: a password change (here or in any other process)
writes a new salted hash, so no stale password is ever accepted. Username, status
and permissions are always read fresh from the database.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class LoginCache:
    def __init__(
        self,
        max_entries: int = 10_000,
        ttl_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self._max = max_entries
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()

    def _digest(self, username_key: str, password: str) -> bytes:
        message = username_key.encode() + b"\x00" + password.encode("utf-8", "surrogatepass")
        return hmac.digest(self._key, message, "sha256")

    def recalls(self, username_key: str, password: str, stored_hash: str) -> bool:
        """True when this pair was verified against exactly this stored hash, recently."""
        if self._max <= 0:
            return False
        digest = self._digest(username_key, password)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return False
            cached_hash, expires = entry
            if expires <= self._clock():
                del self._entries[digest]
                return False
            self._entries.move_to_end(digest)
        return hmac.compare_digest(cached_hash.encode(), stored_hash.encode())

    def remember(self, username_key: str, password: str, stored_hash: str) -> None:
        """Called only after a successful slow verification."""
        if self._max <= 0:
            return
        digest = self._digest(username_key, password)
        with self._lock:
            self._entries[digest] = (stored_hash, self._clock() + self._ttl)
            self._entries.move_to_end(digest)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
