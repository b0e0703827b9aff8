"""The outbound path's transports against real aiosmtpd upstreams: the pool reuses,
replaces and bounds its connections and closes idle ones; the Maildir target keeps
each message with its envelope; relay targets and the sending settings parse with a
one-line error."""

from __future__ import annotations

import asyncio
import email
import mailbox
from pathlib import Path

import pytest

from gridreseller.bootstrap import configured_relay
from gridreseller.config import ConfigurationError, Settings, load_settings
from gridreseller.sending.targets import (
    MaildirTarget,
    UpstreamTarget,
    maildir_warning,
    relay_target,
)
from gridreseller.sending.transports import MaildirTransport, Outcome, Relayed
from gridreseller.sending.upstream_pool import UpstreamPool
from tests.mail.support import DEFERRED, MESSAGE, REJECTED
from tests.mail.upstreams import Upstream
from tests.support import container_for, free_port


def pool_to(
    upstream: Upstream, *, size: int = 10, wait_seconds: float = 30.0, idle_seconds: float = 5.0
) -> UpstreamPool:
    target = UpstreamTarget("127.0.0.1", upstream.port)
    return UpstreamPool(
        target, "mx.test", size=size, wait_seconds=wait_seconds, idle_seconds=idle_seconds
    )


async def send(pool: UpstreamPool, *recipients: str) -> Relayed:
    return await pool.send("s@example.com", list(recipients), MESSAGE, [])


def test_one_connection_carries_message_after_message() -> None:
    upstream = Upstream().start()
    try:

        async def three() -> list[Relayed]:
            pool = pool_to(upstream)
            sent = [await send(pool, f"r{n}@example.com") for n in range(3)]
            await pool.close()
            return sent

        relayed = asyncio.run(three())
    finally:
        upstream.stop()
    assert [r.outcome for r in relayed] == [Outcome.SENT] * 3
    assert relayed[0].upstream_code == 250
    assert upstream.connections.made == 1
    assert [m.rcpt_tos for m in upstream.messages] == [[f"r{n}@example.com"] for n in range(3)]


def test_a_connection_the_upstream_closed_is_replaced_once() -> None:
    first = Upstream().start()
    second = Upstream(port=first.port)
    try:

        async def across_a_restart() -> tuple[Relayed, Relayed]:
            pool = pool_to(first)
            before = await send(pool, "one@example.com")
            await asyncio.to_thread(first.stop)  # closes the kept connection
            await asyncio.to_thread(second.start)
            after = await send(pool, "two@example.com")
            await pool.close()
            return before, after

        before, after = asyncio.run(across_a_restart())
    finally:
        second.stop()
    assert (before.outcome, after.outcome) == (Outcome.SENT, Outcome.SENT)
    assert [m.rcpt_tos for m in second.messages] == [["two@example.com"]]


def test_the_pool_never_opens_more_than_its_size() -> None:
    upstream = Upstream(delay=0.3).start()
    try:

        async def burst() -> list[Relayed]:
            pool = pool_to(upstream, size=2)
            sent = await asyncio.gather(*(send(pool, f"r{n}@example.com") for n in range(6)))
            await pool.close()
            return list(sent)

        relayed = asyncio.run(burst())
    finally:
        upstream.stop()
    assert all(r.sent for r in relayed)
    assert upstream.connections.most == 2
    assert upstream.connections.made == 2
    assert len(upstream.messages) == 6


def test_waiting_too_long_for_a_connection_is_retry_later() -> None:
    upstream = Upstream(delay=1.0).start()
    try:

        async def two_at_once() -> list[Relayed]:
            pool = pool_to(upstream, size=1, wait_seconds=0.2)
            sent = await asyncio.gather(send(pool, "a@example.com"), send(pool, "b@example.com"))
            await pool.close()
            return list(sent)

        relayed = asyncio.run(two_at_once())
    finally:
        upstream.stop()
    assert sorted(r.outcome.value for r in relayed) == ["retry later", "sent"]
    assert len(upstream.messages) == 1


def test_idle_connections_are_closed() -> None:
    upstream = Upstream().start()
    try:

        async def then_idle() -> tuple[int, int]:
            pool = pool_to(upstream, idle_seconds=0.2)
            await send(pool, "a@example.com")
            kept = upstream.connections.open
            await asyncio.sleep(0.8)
            return kept, upstream.connections.open

        kept, later = asyncio.run(then_idle())
    finally:
        upstream.stop()
    assert (kept, later) == (1, 0)


def test_refusals_say_what_and_who_and_the_connection_goes_on() -> None:
    upstream = Upstream().start()
    try:

        async def refused() -> list[Relayed]:
            pool = pool_to(upstream)
            answers = [
                await send(pool, "fine@example.com", REJECTED),
                await send(pool, DEFERRED),
                await send(pool, "fine@example.com"),
            ]
            await pool.close()
            return answers

        rejected, deferred, fine = asyncio.run(refused())
    finally:
        upstream.stop()
    assert rejected.outcome is Outcome.REFUSED
    assert (rejected.upstream_code, rejected.refused_recipient) == (550, REJECTED)
    assert deferred == Relayed(Outcome.RETRY_LATER, 451, "4.3.0 Try again later")
    assert fine.sent
    assert upstream.connections.made == 1
    assert [m.rcpt_tos for m in upstream.messages] == [["fine@example.com"]]


def test_an_upstream_at_its_connection_cap_or_down_is_retry_later() -> None:
    full = Upstream(cap=0).start()
    try:
        at_cap = asyncio.run(send(pool_to(full), "a@example.com"))
    finally:
        full.stop()
    down = asyncio.run(
        send(UpstreamPool(UpstreamTarget("127.0.0.1", free_port()), "mx.test"), "a@example.com")
    )
    assert (at_cap.outcome, at_cap.upstream_code) == (Outcome.RETRY_LATER, None)
    assert (down.outcome, down.upstream_code) == (Outcome.RETRY_LATER, None)


# The Maildir target ------------------------------------------------------------------


def test_the_maildir_keeps_each_message_with_its_envelope(tmp_path: Path) -> None:
    transport = MaildirTransport(MaildirTarget(tmp_path / "box"))
    relayed = asyncio.run(
        transport.send("s@example.com", ["a@example.com", "b@example.com"], MESSAGE, [])
    )
    assert relayed.sent and relayed.upstream_code == 250
    (stored,) = list(mailbox.Maildir(tmp_path / "box", create=False))
    assert stored["Return-Path"] == "<s@example.com>"
    assert stored.get_all("X-Envelope-To") == ["<a@example.com>", "<b@example.com>"]
    assert stored["Subject"] == "hello"
    files = list((tmp_path / "box" / "new").iterdir())
    raw = files[0].read_bytes()
    assert raw.endswith(MESSAGE.replace(b"\r\n", b"\n"))
    assert email.message_from_bytes(raw).get_payload() == "Hello.\n"


def test_the_maildir_refuses_an_address_no_header_can_carry(tmp_path: Path) -> None:
    transport = MaildirTransport(MaildirTarget(tmp_path / "box"))
    relayed = asyncio.run(transport.send("s@example.com", ["a\x01b@example.com"], MESSAGE, []))
    assert relayed.outcome is Outcome.REFUSED and relayed.upstream_code is None
    assert list(mailbox.Maildir(tmp_path / "box", create=False)) == []


def test_an_unusable_maildir_path_is_an_error_at_start(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(NotADirectoryError):
        MaildirTransport(MaildirTarget(tmp_path / "file" / "box"))


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("127.0.0.1:25", UpstreamTarget("127.0.0.1", 25)),
        ("mx.example:2525", UpstreamTarget("mx.example", 2525)),
        ("[::1]:25", UpstreamTarget("::1", 25)),
        ("maildir:/var/mail/try", MaildirTarget(Path("/var/mail/try"))),
    ],
)
def test_relay_targets_parse(text: str, target: object) -> None:
    assert relay_target(text) == target


@pytest.mark.parametrize("text", ["no-port", "mx:99999", "mx:", ":25", "maildir:", "maildir: "])
def test_a_bad_relay_target_is_one_line_naming_its_source(text: str) -> None:
    with pytest.raises(ValueError, match=r"^GRIDRESELLER_RELAY must [^\n]+$"):
        relay_target(text, "GRIDRESELLER_RELAY")


def test_the_maildir_warning_is_loud_and_names_the_path() -> None:
    line = maildir_warning(MaildirTarget(Path("/srv/try/box")))
    assert line.startswith("WARNING:") and "/srv/try/box" in line and "NOT sent" in line


# Settings ----------------------------------------------------------------------------


def test_the_relay_setting_is_parsed_at_start_with_an_error_naming_it() -> None:
    assert configured_relay(Settings(relay="maildir:/srv/try")) == MaildirTarget(Path("/srv/try"))
    assert configured_relay(Settings()) is None
    with pytest.raises(ConfigurationError, match=r"^GRIDRESELLER_RELAY must be HOST:PORT"):
        configured_relay(Settings(relay="mx.example"))


@pytest.mark.parametrize("name", ["RELAY_POOL_SIZE", "MAX_MESSAGE_BYTES"])
def test_sizes_must_be_at_least_one(name: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^GRIDRESELLER_{name} must be at least 1"):
        load_settings({f"GRIDRESELLER_{name}": "0"})


def test_the_pool_size_setting_bounds_the_connections(fresh_database_url: str) -> None:
    container = container_for(fresh_database_url, relay_pool_size=2)
    upstream = Upstream(delay=0.3).start()
    try:
        target = UpstreamTarget("127.0.0.1", upstream.port)
        submission = container.submission_for(target, "mx.test")

        async def burst() -> list[Relayed]:
            relays = (
                submission.transport.send("s@example.com", [f"r{n}@example.com"], MESSAGE, [])
                for n in range(5)
            )
            sent = list(await asyncio.gather(*relays))
            await submission.close()
            return sent

        relayed = asyncio.run(burst())
    finally:
        upstream.stop()
        container.close()
    assert all(r.sent for r in relayed)
    assert upstream.connections.most == 2
