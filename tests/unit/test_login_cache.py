"""The login cache: fast only for a pair verified against the very hash stored now."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gridreseller.bootstrap import Container
from gridreseller.domain.access import Purpose
from gridreseller.domain.errors import Unauthorized
from gridreseller.identity.login_cache import LoginCache
from gridreseller.services import operator
from tests.support import container_for, verifications


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_recalls_only_the_same_pair_and_hash() -> None:
    cache = LoginCache()
    cache.remember("alice", "pw-1", "$hash-a")
    assert cache.recalls("alice", "pw-1", "$hash-a")
    assert not cache.recalls("alice", "pw-2", "$hash-a")
    assert not cache.recalls("bob", "pw-1", "$hash-a")
    assert not cache.recalls("alice", "pw-1", "$hash-b")  # password changed elsewhere


def test_entries_expire_and_are_bounded() -> None:
    time = FakeTime()
    cache = LoginCache(max_entries=2, ttl_seconds=60, clock=time)
    cache.remember("a", "p", "h")
    time.now += 61
    assert not cache.recalls("a", "p", "h")
    for name in ("x", "y", "z"):
        cache.remember(name, "p", "h")
    assert len(cache) == 2
    assert not cache.recalls("x", "p", "h")
    assert cache.recalls("z", "p", "h")


def test_cache_holds_no_password() -> None:
    cache = LoginCache()
    cache.remember("alice", "hunter2-secret", "$hash")
    assert all(b"hunter2" not in key for key in cache._entries)


@pytest.fixture
def counting(tmp_path: Path) -> Container:
    container = container_for(f"sqlite:///{tmp_path / 'cache.db'}", counting=True)
    operator.create_distributor(container.services, "dist", "dist-pass", "d@example.com")
    return container


def _login(container: Container, username: str, password: str) -> None:
    asyncio.run(container.identity.authenticate(username, password, "-", Purpose.API_DISTRIBUTOR))


def test_second_login_skips_the_hasher(counting: Container) -> None:
    _login(counting, "DIST", "dist-pass")
    _login(counting, "DIST", "dist-pass")
    assert verifications(counting) == 1


def test_failures_never_fill_the_cache(counting: Container) -> None:
    for _ in range(3):
        with pytest.raises(Unauthorized):
            _login(counting, "dist", "wrong")
        with pytest.raises(Unauthorized):
            _login(counting, "ghost", "x")
    assert verifications(counting) == 6  # one hash per attempt, unknown user included
    assert len(counting.login_cache) == 0
