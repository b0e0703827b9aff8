"""Throttling rules, on an injectable clock (no sleeps)."""

from __future__ import annotations

import pytest

from gridreseller.domain.errors import Throttled
from gridreseller.services.throttle import LoginThrottle, ThrottlePolicy, network_of


class FakeClock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def throttle(clock: FakeClock) -> LoginThrottle:
    return LoginThrottle(ThrottlePolicy(), clock)


def fail(
    throttle: LoginThrottle, times: int, account: str = "victim", address: str = "198.51.100.7"
) -> None:
    for _ in range(times):
        throttle.check(account, address)
        throttle.failed(account, address)


def retry_after(
    throttle: LoginThrottle, account: str = "victim", address: str = "198.51.100.7"
) -> int:
    with pytest.raises(Throttled) as raised:
        throttle.check(account, address)
    return raised.value.retry_after


def test_thirty_failures_lock_the_account(throttle: LoginThrottle) -> None:
    fail(throttle, 29)
    throttle.check("victim", "198.51.100.7")  # still allowed
    fail(throttle, 1)
    assert retry_after(throttle) == 60


def test_failures_outside_the_window_do_not_count(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    fail(throttle, 29)
    clock.now += 15 * 60 + 1
    fail(throttle, 29)
    throttle.check("victim", "198.51.100.7")


def test_attempts_during_backoff_do_not_extend_it(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    fail(throttle, 30)
    clock.now += 30
    for _ in range(50):
        throttle.failed("victim", "198.51.100.7")  # e.g. raced past check()
    assert retry_after(throttle) == 30
    clock.now += 30
    throttle.check("victim", "198.51.100.7")


def test_backoff_doubles_up_to_fifteen_minutes(throttle: LoginThrottle, clock: FakeClock) -> None:
    fail(throttle, 30)
    seen = []
    for _ in range(6):
        wait = retry_after(throttle)
        seen.append(wait)
        clock.now += wait
        fail(throttle, 1)  # the window still holds 30 failures: locks again, longer
    assert seen == [60, 120, 240, 480, 900, 900]


def test_success_resets_the_count(throttle: LoginThrottle) -> None:
    fail(throttle, 29)
    throttle.succeeded("victim", "198.51.100.7")
    fail(throttle, 29)
    throttle.check("victim", "198.51.100.7")


def test_accounts_are_case_insensitive_keys_given_lowercased(throttle: LoginThrottle) -> None:
    fail(throttle, 30, account="victim")
    assert retry_after(throttle, account="victim") == 60
    throttle.check("other", "203.0.113.9")


def test_a_known_client_keeps_working_during_an_attack(throttle: LoginThrottle) -> None:
    throttle.succeeded("victim", "192.0.2.10")
    fail(throttle, 30, address="203.0.113.66")
    assert retry_after(throttle, address="203.0.113.66") == 60
    throttle.check("victim", "192.0.2.10")  # no lockout denial of service


def test_one_network_trying_many_usernames_is_slowed(throttle: LoginThrottle) -> None:
    for i in range(100):
        throttle.check(f"guess{i}", f"203.0.113.{i % 250}")
        throttle.failed(f"guess{i}", f"203.0.113.{i % 250}")
    assert retry_after(throttle, account="fresh-name", address="203.0.113.200") == 60
    throttle.check("fresh-name", "203.0.114.1")  # another /24


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("testclient", "testclient"),
    ],
)
def test_networks(address: str, network: str) -> None:
    assert network_of(address) == network


def test_a_quiet_window_after_a_backoff_starts_over(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    fail(throttle, 30)
    clock.now += 60 + 15 * 60
    fail(throttle, 29)
    throttle.check("victim", "198.51.100.7")
