"""Access lines: the shape of every other log line, written in batches, never lost at
a flush, switched by the logger's level."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Iterator

import pytest

from gridreseller.http.access_log import FLUSH_SECONDS, MAX_WAITING_LINES, AccessLog
from gridreseller.serving import LOG_FORMAT


@pytest.fixture
def access_logger_at_info() -> Iterator[None]:
    logger = logging.getLogger("gridreseller.access")
    before = logger.level
    logger.setLevel(logging.INFO)
    yield
    logger.setLevel(before)


def _formatted_by_logging(message: str) -> str:
    record = logging.LogRecord("gridreseller.access", logging.INFO, __file__, 1, message, (), None)
    return logging.Formatter(LOG_FORMAT).format(record)


TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


@pytest.mark.usefixtures("access_logger_at_info")
def test_a_line_has_the_shape_logging_gives_every_other_line() -> None:
    stream = io.StringIO()
    log = AccessLog(stream)

    async def one_request() -> None:
        log.add("192.0.2.1", "dist", "POST", "/api/distributor.manage.json", 200, 1.25)
        log.flush()

    asyncio.run(one_request())
    message = "192.0.2.1 dist POST /api/distributor.manage.json 200 1.2ms"
    expected = re.sub(TIMESTAMP, "TIME", _formatted_by_logging(message))
    assert re.sub(TIMESTAMP, "TIME", stream.getvalue()) == expected + "\n"


@pytest.mark.usefixtures("access_logger_at_info")
def test_lines_wait_for_the_timer_then_go_together() -> None:
    stream = io.StringIO()
    log = AccessLog(stream)

    async def requests() -> tuple[str, str]:
        log.add("192.0.2.1", "-", "GET", "/healthz", 200, 0.1)
        log.add("192.0.2.2", "-", "GET", "/healthz", 200, 0.1)
        before = stream.getvalue()
        await asyncio.sleep(FLUSH_SECONDS * 2)
        return before, stream.getvalue()

    before, after = asyncio.run(requests())
    assert before == ""
    assert [line.split()[4] for line in after.splitlines()] == ["192.0.2.1", "192.0.2.2"]


@pytest.mark.usefixtures("access_logger_at_info")
def test_a_full_batch_is_written_at_once() -> None:
    stream = io.StringIO()
    log = AccessLog(stream)

    async def requests() -> str:
        for number in range(MAX_WAITING_LINES):
            log.add("192.0.2.1", "-", "GET", f"/{number}", 404, 0.1)
        return stream.getvalue()

    assert len(asyncio.run(requests()).splitlines()) == MAX_WAITING_LINES


@pytest.mark.usefixtures("access_logger_at_info")
def test_names_a_client_chose_cannot_break_a_line() -> None:
    stream = io.StringIO()
    log = AccessLog(stream)

    async def one_request() -> None:
        log.add("192.0.2.1", "evil\nINFO forged\u2028", "POST", "/api/x\r\ny", 404, 0.1)
        log.flush()

    asyncio.run(one_request())
    assert stream.getvalue().count("\n") == 1
    assert "evil\\nINFO forged\\u2028" in stream.getvalue()


def test_nothing_is_written_when_the_logger_is_not_at_info() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("gridreseller.access")
    before = logger.level
    logger.setLevel(logging.WARNING)
    try:
        log = AccessLog(stream)
        log.add("192.0.2.1", "-", "GET", "/healthz", 200, 0.1)
        log.flush()
    finally:
        logger.setLevel(before)
    assert stream.getvalue() == ""


@pytest.mark.usefixtures("access_logger_at_info")
def test_a_line_after_its_loop_stopped_is_still_written_by_the_next_loop() -> None:
    stream = io.StringIO()
    log = AccessLog(stream)

    async def one_request(path: str, wait: float) -> None:
        log.add("192.0.2.1", "-", "GET", path, 200, 0.1)
        await asyncio.sleep(wait)

    asyncio.run(one_request("/first", 0))  # its loop ends before the timer fires
    asyncio.run(one_request("/second", FLUSH_SECONDS * 2))
    assert [line.split()[7] for line in stream.getvalue().splitlines()] == ["/first", "/second"]
