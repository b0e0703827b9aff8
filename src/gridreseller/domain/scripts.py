"""Mixed-script detection after Unicode Technical Standard #39 (sections 5.1 and 5.2).

A username must be "highly restrictive": its letters come from one script, or from
one of the combinations that a language writes together (Latin with Han, Hiragana
and Katakana for Japanese; Latin with Han and Bopomofo; Latin with Han and Hangul).
So `look` spelt with a Greek omicron (U+03BF) is refused, while `look`, `λόγος`,
`иван`, `田中` and `tanakaたなか` are not. Digits, punctuation and combining marks
(the Common and Inherited scripts) go with any script.

Python's `unicodedata` has no Script or Script_Extensions property, so both come from
fontTools.unicodedata: a maintained package, released with each Unicode version, that
ships them generated from the Unicode Character Database. Script_Extensions matters:
the Japanese long vowel mark `ー` is Common by Script alone and Hiragana or Katakana by
its extensions. confusable_homoglyphs was the other candidate; it knows Script only
and none of the allowed combinations, and ships no type information.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from fontTools import unicodedata as ucd  # type: ignore[import-untyped]

# Script_Extensions values that stand for "any script" (UTS #39 section 5.1).
_ANY_SCRIPT = frozenset({"Zyyy", "Zinh"})  # Common, Inherited
# The augmented script sets of section 5.1: Han stands in Japanese (Jpan), Korean
# (Kore) and Han with Bopomofo (Hanb); kana in Japanese; Hangul in Korean.
_AUGMENTS: dict[str, frozenset[str]] = {
    "Hani": frozenset({"Hanb", "Jpan", "Kore"}),
    "Hira": frozenset({"Jpan"}),
    "Kana": frozenset({"Jpan"}),
    "Hang": frozenset({"Kore"}),
    "Bopo": frozenset({"Hanb"}),
}
# What section 5.2's highly restrictive level lets Latin join.
_JOIN_LATIN = frozenset({"Jpan", "Hanb", "Kore"})
LATIN = "Latn"


def mixed_scripts(text: str) -> tuple[str, ...]:
    """The names of the scripts `text` mixes ("Latin", "Greek"), in the order they first
    appear; empty if `text` is highly restrictive."""
    if is_highly_restrictive(text):
        return ()
    codes = dict.fromkeys(_script_code(char) for char in text)
    return tuple(ucd.script_name(code) for code in codes if code not in _ANY_SCRIPT)


def _script_code(char: str) -> str:
    """The character's Script, or for a Common one of limited use (an Arabic-Indic
    digit) the first of its Script_Extensions, so that the message can name it."""
    code: str = ucd.script(char)
    if code in _ANY_SCRIPT:
        extensions = sorted(ucd.script_extension(char) - _ANY_SCRIPT)
        return extensions[0] if extensions else code
    return code


def is_highly_restrictive(text: str) -> bool:
    resolved = resolved_scripts(text)
    if resolved is None or resolved:
        return True
    rest = resolved_scripts(char for char in text if LATIN not in (_scripts_of(char) or ()))
    return rest is None or bool(rest & _JOIN_LATIN)


def resolved_scripts(chars: Iterable[str]) -> frozenset[str] | None:
    """The intersection of the characters' augmented script sets; None stands for the
    set of all scripts (only Common and Inherited characters, or none)."""
    resolved: frozenset[str] | None = None
    for char in chars:
        scripts = _scripts_of(char)
        if scripts is not None:
            resolved = scripts if resolved is None else resolved & scripts
    return resolved


@lru_cache(maxsize=4096)
def _scripts_of(char: str) -> frozenset[str] | None:
    """The character's augmented Script_Extensions; None for "any script"."""
    extensions: set[str] = ucd.script_extension(char)
    if extensions <= _ANY_SCRIPT:
        return None
    augmented = set(extensions)
    for code in extensions:
        augmented |= _AUGMENTS.get(code, frozenset())
    return frozenset(augmented)
