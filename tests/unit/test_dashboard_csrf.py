"""The dashboard's own synchronizer tokens and cross-site rule (web/csrf.py, web/security.py)."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridreseller.web import csrf
from gridreseller.web.security import comes_from_elsewhere, own_origin

SECRET = secrets.token_urlsafe(32)
KEY = secrets.token_bytes(32)
NOW = 1_800_000_000
DAY = 24 * 3600


def test_masked_tokens_differ_every_time_and_all_match() -> None:
    tokens = {csrf.mask(SECRET) for _ in range(50)}
    assert len(tokens) == 50
    assert all(csrf.matches_session(SECRET, token) for token in tokens)
    assert all(SECRET not in token for token in tokens)


def test_a_token_of_another_session_does_not_match() -> None:
    other = secrets.token_urlsafe(32)
    assert not csrf.matches_session(SECRET, csrf.mask(other))


@pytest.mark.parametrize(
    "token", [None, "", "x", "%%%", "é" * 40, SECRET, csrf.mask(SECRET)[:-2], "A" * 116]
)
def test_malformed_session_tokens_do_not_match(token: str | None) -> None:
    assert not csrf.matches_session(SECRET, token)


@given(st.text(max_size=200))
def test_no_text_crashes_the_session_check(token: str) -> None:
    assert csrf.matches_session(SECRET, token) is False


def test_login_tokens_are_bound_to_their_nonce_and_key() -> None:
    nonce = csrf.new_nonce()
    token = csrf.login_token(KEY, nonce, NOW)
    assert csrf.matches_login(KEY, nonce, token, NOW + 10, DAY)
    assert not csrf.matches_login(KEY, csrf.new_nonce(), token, NOW + 10, DAY)
    assert not csrf.matches_login(secrets.token_bytes(32), nonce, token, NOW + 10, DAY)
    assert not csrf.matches_login(KEY, None, token, NOW + 10, DAY)


def test_login_tokens_expire_and_are_not_from_the_future() -> None:
    nonce = csrf.new_nonce()
    token = csrf.login_token(KEY, nonce, NOW)
    assert csrf.matches_login(KEY, nonce, token, NOW + DAY, DAY)
    assert not csrf.matches_login(KEY, nonce, token, NOW + DAY + 1, DAY)
    assert not csrf.matches_login(KEY, nonce, token, NOW - 1, DAY)


def test_a_login_tokens_time_cannot_be_moved() -> None:
    nonce = csrf.new_nonce()
    _issued, mac = csrf.login_token(KEY, nonce, NOW).split(".")
    assert not csrf.matches_login(KEY, nonce, f"{NOW + 100}.{mac}", NOW + 200, DAY)


@given(st.text(max_size=200))
def test_no_text_crashes_the_login_check(token: str) -> None:
    assert csrf.matches_login(KEY, csrf.new_nonce(), token, NOW, DAY) is False


def test_only_nonces_of_our_making_are_reused() -> None:
    assert csrf.is_nonce(csrf.new_nonce())
    for value in (None, "", "short", "x" * 43 + "y", "é" * 43, "a" * 42 + "="):
        assert not csrf.is_nonce(value)


HOST = {"host": "dash.example:8443"}


@pytest.mark.parametrize(
    ("headers", "elsewhere"),
    [
        ({}, False),  # not a browser: judged by the token alone
        ({"sec-fetch-site": "same-origin"}, False),
        ({"sec-fetch-site": "none"}, False),  # typed into the address bar
        ({"sec-fetch-site": "same-site"}, True),
        ({"sec-fetch-site": "cross-site"}, True),
        ({"sec-fetch-site": "something-new"}, True),
        ({"origin": "https://dash.example:8443"}, False),
        ({"origin": "HTTPS://Dash.Example:8443"}, False),
        ({"origin": "null"}, True),
        ({"origin": "https://evil.example"}, True),
        ({"origin": "http://dash.example:8443"}, True),  # another scheme
        ({"origin": "https://dash.example"}, True),  # another port
        ({"origin": "https://dash.example:8443", "sec-fetch-site": "cross-site"}, True),
    ],
)
def test_cross_site_rule(headers: dict[str, str], elsewhere: bool) -> None:
    assert comes_from_elsewhere({**HOST, **headers}, "https") is elsewhere


def test_default_ports_are_the_same_origin() -> None:
    assert own_origin("dash.example:443", "https") == own_origin("dash.example", "https")
    assert not comes_from_elsewhere(
        {"host": "dash.example", "origin": "https://dash.example:443"}, "https"
    )


def test_an_origin_without_a_host_header_is_refused() -> None:
    assert comes_from_elsewhere({"origin": "https://dash.example"}, "https")
    assert own_origin(None, "https") is None
