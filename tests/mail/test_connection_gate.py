"""The counting behind `gridreseller smtp`'s limits (docs/smtp.md, "Limits"): which
address a connection counts under, the two caps of a quota, and caps fitted to an
open-file limit."""

from __future__ import annotations

import logging

import pytest

from gridreseller.mail.connection_gate import (
    ConnectionCaps,
    Full,
    Quota,
    client_key,
    connection_caps,
)


@pytest.mark.parametrize(
    ("peername", "key"),
    [
        (("192.0.2.7", 40000), "192.0.2.7"),
        (("::ffff:192.0.2.7", 40000, 0, 0), "192.0.2.7"),
        (("2001:db8:1:2:aaaa::1", 40000, 0, 0), "2001:db8:1:2::/64"),
        (("2001:db8:1:2:bbbb::9", 40000, 0, 0), "2001:db8:1:2::/64"),
        (("fe80::1%eth0", 40000, 0, 2), "fe80::/64"),
        (None, "-"),
    ],
)
def test_a_connection_counts_under_its_ipv4_address_or_its_ipv6_64(
    peername: object, key: str
) -> None:
    assert client_key(peername) == key


def test_a_quota_refuses_past_the_clients_share_then_past_the_total() -> None:
    quota = Quota("test", total=3, per_client=2)
    assert [quota.take("a"), quota.take("a"), quota.take("a")] == [None, None, Full.CLIENT]
    assert [quota.take("b"), quota.take("c")] == [None, Full.TOTAL]
    assert (quota.held(), quota.held("a"), quota.held("c")) == (3, 2, 0)
    quota.give_back("a")
    assert quota.take("c") is None
    assert (quota.held(), quota.held("a")) == (3, 1)


def test_a_flood_of_refusals_is_one_warning_until_the_client_holds_less(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="gridreseller.mail")
    quota = Quota("SMTP connection", total=10, per_client=1)
    quota.take("a")
    for _ in range(100):
        quota.take("a")
    quota.give_back("a")
    quota.take("a")
    quota.take("a")
    assert [r.getMessage() for r in caplog.records] == [
        "SMTP connection refused for a: at most 1 per client address"
    ] * 2


def test_caps_that_fit_are_kept(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="gridreseller.mail")
    assert connection_caps(ConnectionCaps(1000, 50), 65536) == ConnectionCaps(1000, 50)
    assert caplog.records == []


def test_the_total_is_fitted_to_the_open_file_limit_and_a_share_to_half_of_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="gridreseller.mail")
    # (1024 - 64) // 2 = 480 sessions of two descriptors each.
    assert connection_caps(ConnectionCaps(1000, 50), 1024) == ConnectionCaps(480, 50)
    assert connection_caps(ConnectionCaps(1000, 50), 256) == ConnectionCaps(96, 48)
    assert connection_caps(ConnectionCaps(1000, 50), 10) == ConnectionCaps(1, 1)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("open-file limit 1024 (RLIMIT_NOFILE; raise LimitNOFILE=)")
    assert "capped at 48 instead of 50" in messages[2]
