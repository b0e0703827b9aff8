"""The HTTP plumbing every surface shares (gridreseller/http): a body read within its
limit, and the error tables' one mechanism (the nearest row, the headers it adds)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from starlette.types import Message, Receive

from gridreseller.domain.access import Denial
from gridreseller.domain.errors import DomainError, Forbidden, Invalid, Throttled, Unavailable
from gridreseller.http.body import read_body, refuse_declared
from gridreseller.http.errors import ErrorTable, Row
from gridreseller.http.headers import authorization, bearer, headers_by_name
from gridreseller.http.problems import BodyCutOff, BodyTooLarge, HttpProblem


def receiving(*messages: Message) -> Receive:
    """What an ASGI server hands the app, message by message."""
    queue: Iterator[Message] = iter(messages)

    async def receive() -> Message:
        return next(queue)

    return receive


def body(chunk: bytes, more: bool = False) -> Message:
    return {"type": "http.request", "body": chunk, "more_body": more}


def test_a_body_in_chunks_is_read_whole() -> None:
    receive = receiving(body(b"a=1", more=True), body(b"&b=2", more=True), body(b""))
    assert asyncio.run(read_body(receive, 7)) == b"a=1&b=2"


def test_a_body_past_the_limit_is_refused_as_it_arrives() -> None:
    receive = receiving(body(b"a=1", more=True), body(b"&b=2", more=True), body(b""))
    with pytest.raises(BodyTooLarge) as refused:
        asyncio.run(read_body(receive, 6))
    assert (refused.value.status, refused.value.message) == (
        413,
        "request body must be no more than 6 bytes",
    )


def test_a_body_cut_off_by_a_disconnect_is_refused() -> None:
    receive = receiving(body(b"password=sec", more=True), {"type": "http.disconnect"})
    with pytest.raises(BodyCutOff):
        asyncio.run(read_body(receive, 100))


def test_a_declared_length_past_the_limit_is_refused_before_reading() -> None:
    scope = {"headers": [(b"content-length", b"101")]}
    with pytest.raises(BodyTooLarge):
        refuse_declared(scope, 100)
    refuse_declared({"headers": [(b"content-length", b"100")]}, 100)
    refuse_declared({"headers": [(b"content-length", b"lots")]}, 100)


def test_headers_are_read_as_starlette_reads_them() -> None:
    scope = {
        "headers": [
            (b"authorization", b"  Bearer   SG.key.secret "),
            (b"x-repeated", b"first"),
            (b"x-repeated", b"second"),
        ]
    }
    assert authorization(scope) == ("bearer", "SG.key.secret")
    assert bearer(scope) == "SG.key.secret"
    assert headers_by_name(scope)["x-repeated"] == "first"
    assert bearer({"headers": [(b"authorization", b"Basic dTpw")]}) is None
    assert authorization({"headers": []}) == ("", "")


TABLE: ErrorTable[str] = ErrorTable(
    {
        Invalid: Row(400, lambda error: "; ".join(error.errors)),
        Forbidden: Row(403, lambda error: error.denial.value),
        Throttled: Row(429, lambda _error: "later"),
        Unavailable: Row(503, lambda _error: "down"),
        DomainError: Row(500, lambda _error: "other"),
        HttpProblem: Row(None, lambda problem: problem.message),
    }
)


class Unlisted(DomainError):
    """A kind the table has no row of its own for."""


def test_the_row_of_the_kind_itself_decides() -> None:
    refusal = TABLE.refusal(Forbidden(Denial.NO_API_BIT))
    assert refusal is not None
    assert (refusal.status, refusal.said, refusal.headers) == (403, Denial.NO_API_BIT.value, None)


def test_a_kind_without_a_row_takes_its_nearest_base_and_others_none() -> None:
    refusal = TABLE.refusal(Unlisted())
    assert refusal is not None and (refusal.status, refusal.said) == (500, "other")
    assert TABLE.refusal(ValueError("not a refusal")) is None


def test_a_transport_problem_keeps_its_own_status() -> None:
    refusal = TABLE.refusal(HttpProblem(415, "not a form"))
    assert refusal is not None and (refusal.status, refusal.said) == (415, "not a form")


@pytest.mark.parametrize(
    ("error", "headers"),
    [
        (Throttled(17), {"Retry-After": "17"}),
        (Unavailable(retry_after=30), {"Retry-After": "30"}),
        (BodyTooLarge(10), {"Connection": "close"}),
        (Invalid(["bad"]), None),
    ],
)
def test_the_headers_an_error_brings_are_the_same_on_every_surface(
    error: Exception, headers: dict[str, str] | None
) -> None:
    refusal = TABLE.refusal(error)
    assert refusal is not None and refusal.headers == headers
