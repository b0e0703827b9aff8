"""Our urlencoded parser gives exactly what the standard library's parse_qsl gives."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridreseller.api.legacy.params import Params
from gridreseller.api.params import form_pairs

# Text built from the characters that matter to the format, and any others.
FORM_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("&=+%;[]"), st.sampled_from("0123456789abcdefABCDEF"), st.characters()
    ),
    max_size=60,
)


def _stdlib(text: str) -> list[tuple[str, str]] | type[UnicodeDecodeError]:
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return UnicodeDecodeError


def _ours(text: str) -> list[tuple[str, str]] | type[UnicodeDecodeError]:
    try:
        return form_pairs(text)
    except UnicodeDecodeError:
        return UnicodeDecodeError


@given(FORM_TEXT)
def test_same_as_parse_qsl_on_any_text(text: str) -> None:
    assert _ours(text) == _stdlib(text)


@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=8))
def test_reads_back_what_urlencode_wrote(pairs: list[tuple[str, str]]) -> None:
    assert form_pairs(urlencode(pairs)) == pairs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1&&b=", [("a", "1"), ("b", "")]),
        ("flag", [("flag", "")]),
        ("a+b=c%20d&e=%E2%82%AC", [("a b", "c d"), ("e", "€")]),
        ("x=1=2", [("x", "1=2")]),
        ("bad=%zz", [("bad", "%zz")]),
    ],
)
def test_examples(text: str, expected: list[tuple[str, str]]) -> None:
    assert form_pairs(text) == expected


def test_invalid_utf8_escape_is_refused() -> None:
    with pytest.raises(UnicodeDecodeError):
        form_pairs("name=%FF")


def test_pairs_become_params_with_arrays_and_last_values() -> None:
    params = Params.from_pairs([("a", "1"), ("ip[]", "x"), ("a", "2"), ("ip[]", "y")])
    assert params.values == {"a": "2"}
    assert params.arrays == {"ip": ["x", "y"]}


def test_the_body_overrides_the_query_and_replaces_its_arrays_whole() -> None:
    query = Params.from_pairs([("a", "q"), ("b", "q"), ("ip[]", "1"), ("ip[]", "2")])
    body = Params.from_pairs([("a", "b"), ("ip[]", "3")])
    merged = query.overridden_by(body)
    assert merged.values == {"a": "b", "b": "q"}
    assert merged.arrays == {"ip": ["3"]}
