"""The login cache: fast only for a pair verified against the very hash stored now."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gridreseller.domain.errors import Unauthorized
from gridreseller.domain.params import Params
from gridreseller.services import operator
from gridreseller.services.auth import Scope, authenticate
from gridreseller.services.context import ServiceContext
from gridreseller.services.login_cache import LoginCache
from tests.support import CountingPasswords, context_for


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
def counting(tmp_path: Path) -> tuple[ServiceContext, CountingPasswords]:
    ctx = context_for(f"sqlite:///{tmp_path / 'cache.db'}")
    passwords = CountingPasswords(ctx.settings)
    ctx.passwords = passwords
    operator.create_distributor(ctx, "dist", "dist-pass", "d@example.com")
    return ctx, passwords


def test_second_login_skips_the_hasher(counting: tuple[ServiceContext, CountingPasswords]) -> None:
    ctx, passwords = counting
    login = Params.of(api_user="DIST", api_key="dist-pass")
    asyncio.run(authenticate(ctx, login, Scope.DISTRIBUTOR))
    asyncio.run(authenticate(ctx, login, Scope.DISTRIBUTOR))
    assert passwords.verifications == 1


def test_failures_never_fill_the_cache(counting: tuple[ServiceContext, CountingPasswords]) -> None:
    ctx, passwords = counting
    for _ in range(3):
        with pytest.raises(Unauthorized):
            asyncio.run(
                authenticate(ctx, Params.of(api_user="dist", api_key="wrong"), Scope.DISTRIBUTOR)
            )
        with pytest.raises(Unauthorized):
            asyncio.run(
                authenticate(ctx, Params.of(api_user="ghost", api_key="x"), Scope.DISTRIBUTOR)
            )
    assert passwords.verifications == 6  # one hash per attempt, unknown user included
    assert len(ctx.login_cache) == 0
