"""A timer for things written in batches (the access log, login audit entries): armed
by the first item of a batch, it calls `flush` once its delay has passed.

Armed on the running event loop. A timer armed on a loop that has stopped since would
never fire (tests run one server after another in a process), so arming on another
loop arms a new timer there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class FlushTimer:
    def __init__(self, seconds: float, flush: Callable[[], None]) -> None:
        self.seconds = seconds
        self._flush = flush
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def arm(self) -> None:
        """Call `flush` `seconds` from now, unless a call is already due."""
        loop = asyncio.get_running_loop()
        if self._handle is None or self._loop is not loop:
            self._handle, self._loop = loop.call_later(self.seconds, self._fire), loop

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        self._flush()
