"""An answer's head waits for its body, so that a whole answer leaves in one write
(http_server.HeadHeldTransport); nothing else waits, and nothing is reordered."""

from __future__ import annotations

import asyncio

from gridreseller.http_server import HeadHeldTransport

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n"


class SocketTransport(asyncio.Transport):
    """What the event loop's socket transport would have sent, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.closed or self.aborted


def held() -> tuple[HeadHeldTransport, SocketTransport]:
    socket_transport = SocketTransport()
    return HeadHeldTransport(socket_transport), socket_transport


def test_a_head_and_its_body_leave_in_one_write() -> None:
    answers, sent = held()
    answers.write(HEAD)
    assert sent.writes == []
    answers.write(b"body")
    assert sent.writes == [HEAD + b"body"]


def test_a_streamed_bodys_later_chunks_are_not_held() -> None:
    answers, sent = held()
    for data in (HEAD, b"a", b"b"):
        answers.write(data)
    assert sent.writes == [HEAD + b"a", b"b"]


def test_100_continue_is_never_held() -> None:
    answers, sent = held()
    answers.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert sent.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]


def test_a_head_without_a_body_leaves_when_its_answer_is_complete() -> None:
    answers, sent = held()
    answers.write(HEAD)
    answers.flush()
    answers.flush()
    assert sent.writes == [HEAD]


def test_closing_sends_what_was_held_first() -> None:
    answers, sent = held()
    answers.write(HEAD)
    answers.close()
    assert sent.writes == [HEAD]
    assert sent.closed


def test_aborting_sends_nothing_more() -> None:
    answers, sent = held()
    answers.write(HEAD)
    answers.abort()
    assert sent.writes == []
    assert sent.aborted
    assert answers.is_closing()
