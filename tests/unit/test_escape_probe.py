"""The batch probe answers as its regular expression would, for ASCII and other text."""

from __future__ import annotations

import re

import pytest

from gridreseller.api.escape_probe import EscapeProbe

CLASSES = ["[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", r'[\x00-\x1f\\"]']


@pytest.mark.parametrize("character_class", CLASSES)
def test_every_character_is_found_exactly_when_the_class_matches_it(character_class: str) -> None:
    probe = EscapeProbe(character_class)
    pattern = re.compile(character_class)
    for code in [*range(0x100), 0x2028, 0xD800, 0xFFFE, 0xFFFF, 0x1F600]:
        character = chr(code)
        for rows in ([("plain", f"a{character}b")], [("é", "ok"), ("", character)]):
            assert probe.found_in(rows) is bool(pattern.search(character)), (hex(code), rows)


def test_a_batch_without_the_characters_is_not_found() -> None:
    probe = EscapeProbe("[&<>]")
    assert probe.found_in([]) is False
    assert probe.found_in([("a", "b"), ("ümlaut", "☃")]) is False


def test_one_row_is_escaped_value_by_value_a_batch_only_when_needed() -> None:
    probe = EscapeProbe("[&<>]")
    assert probe.escape_each_value([("plain", "row")]) is True
    assert probe.escape_each_value([("plain", "row"), ("another", "one")]) is False
    assert probe.escape_each_value([("plain", "row"), ("a&b", "one")]) is True
