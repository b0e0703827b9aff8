"""The one way every surface logs what it did not expect (a bug, a lost database...)."""

from __future__ import annotations

import logging
import traceback


def log_unexpected(log: logging.Logger, error: BaseException, handling: str) -> None:
    """Type and place only: exception texts can carry input or SQL parameters such as
    hashes, and a log must never hold them."""
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}" if frame else "?"
    log.error("unexpected %s at %s handling %s", type(error).__name__, where, handling)
