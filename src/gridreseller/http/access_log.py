"""The access log of the legacy API and the v3 surface: a line a request, written a
batch at a time.

Through the logging module a line cost about a tenth of a cached read's CPU (under
wrk, py-spy put 9% of the server's samples in it: a LogRecord, the handler's lock,
the formatter and a write and flush, per request), and turning it off made reads 12%
faster. So the lines are formatted here, in the shape of every other log line (the
format of `serving.LOG_FORMAT`, which a unit test holds them to), collected, and
written to standard error (where `serve` sends all logs) together: when 0.2 s have
passed since the first line of a batch, when 256 lines are waiting, and at shutdown.
The price: a crash (kill -9) can lose the last 0.2 s of access lines, and an access
line can follow a warning that was logged up to 0.2 s after it.

The access log is written when the `gridreseller.access` logger is enabled for INFO
(as `serve` configures it), as before: the level is the operator's switch.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TextIO

from starlette.types import Receive, Scope, Send

from gridreseller.flush_timer import FlushTimer
from gridreseller.unexpected import log_unexpected

log = logging.getLogger("gridreseller")
LOGGER_NAME = "gridreseller.access"
# Where a surface leaves the acting login's name for the access log line.
LOGIN_KEY = "gridreseller.login"
FLUSH_SECONDS = 0.2
MAX_WAITING_LINES = 256


class AccessLog:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.logger = logging.getLogger(LOGGER_NAME)
        self._stream = stream
        self._lines: list[str] = []
        self._timer = FlushTimer(FLUSH_SECONDS, self.flush)
        self._second = -1
        self._second_text = ""

    def add(self, client: str, login: str, method: str, path: str, status: int, ms: float) -> None:
        """One request's line: client, acting login, method, path (never the query
        string: it can hold api_key), status, time taken. Names are escaped, so a line
        is one line whatever a client sent."""
        if not self.logger.isEnabledFor(logging.INFO):
            return
        login = login.encode("unicode_escape").decode("ascii")
        path = path.encode("unicode_escape").decode("ascii")
        self._lines.append(
            f"{self._timestamp()} INFO {LOGGER_NAME}: "
            f"{client} {login} {method} {path} {status} {ms:.1f}ms\n"
        )
        if len(self._lines) >= MAX_WAITING_LINES:
            self.flush()
        else:
            self._timer.arm()

    def flush(self) -> None:
        self._timer.cancel()
        if not self._lines:
            return
        lines, self._lines = self._lines, []
        stream = self._stream or sys.stderr
        try:
            stream.write("".join(lines))
            stream.flush()
        except (OSError, ValueError):  # a closed or full stream: as logging does, go on
            pass

    def _timestamp(self) -> str:
        """`logging.Formatter`'s default asctime, local time with milliseconds; the
        seconds are formatted once a second, not once a line."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._second_text},{int((now - second) * 1000):03d}"


class Sendable(Protocol):
    """What `answer_logged` sends: an Answer, or Starlette's streamed response."""

    status_code: int

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None: ...


async def answer_logged(
    answer: Callable[[Scope, Receive], Awaitable[Sendable]],
    access_log: AccessLog,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Send `answer`'s response and write its access log line (the legacy API's and
    the v3 surface's alike), whatever happens while it streams."""
    started = time.perf_counter()
    status = 500
    try:
        response = await answer(scope, receive)
        status = response.status_code
        await response(scope, receive, send)
    except Exception as error:  # noqa: BLE001 - a stream failed after its status was sent
        log_unexpected(log, error, scope["path"])
    finally:
        client = scope.get("client") or ("-", 0)
        milliseconds = (time.perf_counter() - started) * 1000
        login: str = scope.get(LOGIN_KEY, "-")
        access_log.add(client[0], login, scope["method"], scope["path"], status, milliseconds)
