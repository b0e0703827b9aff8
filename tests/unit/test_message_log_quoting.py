"""The message log's quoting (sending/message_log.py): its quick way for plain text
writes what the full escaping writes, for any text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gridreseller.domain.audit import printable
from gridreseller.sending.message_log import _quoted

texts = st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=12)


@settings(max_examples=2000)
@given(texts)
def test_quoting_equals_the_full_escaping(text: str) -> None:
    assert _quoted(text) == json.dumps(printable(text), ensure_ascii=False)


def test_plain_and_hostile_texts() -> None:
    assert _quoted("c000001@example.com") == '"c000001@example.com"'
    assert _quoted('a"b\\c') == '"a\\"b\\\\c"'
    assert _quoted("evil\r\nmessage forged") == '"evil\\\\r\\\\nmessage forged"'
    assert _quoted("del\x7f") == '"del\\\\x7f"'
