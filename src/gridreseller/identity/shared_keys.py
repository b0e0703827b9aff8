"""Random keys every process on the database shares (the login form's token key, the
API keys' HMAC key): made once, by whichever process needs one first."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from gridreseller.identity.storage import SharedKeyStore, Transactions


async def shared_key(
    transactions: Transactions[SharedKeyStore], name: str, clock: Callable[[], datetime]
) -> bytes:
    """The key stored under `name`, made (32 random bytes) if there is none yet."""
    stored = await transactions.run_read(lambda r: r.shared_key_value(name))
    if stored is None:
        candidate, now = secrets.token_hex(32), clock()

        def make(records: SharedKeyStore) -> str | None:
            records.add_shared_key_unless_present(name, candidate, now)
            return records.shared_key_value(name)

        stored = await transactions.run_write(make)
    assert stored is not None
    return bytes.fromhex(stored)
