"""Customer rows written a batch at a time read back as exactly the values given."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from gridreseller.api import render_json, render_xml
from gridreseller.domain.models import CUSTOMER_FIELDS, CustomerView
from gridreseller.domain.rules import ILLEGAL

# Any text the input rules let through: no control characters, no surrogates.
VALUE = st.text(st.characters(exclude_categories=["Cs"])).filter(
    lambda text: not ILLEGAL.search(text)
)
VIEW = st.tuples(*[VALUE] * len(CUSTOMER_FIELDS))
BATCHES = st.lists(st.lists(VIEW, min_size=1, max_size=3), max_size=3)


def _document(renderer: object, batches: list[list[CustomerView]]) -> bytes:
    parts = [renderer.customers_start()]  # type: ignore[attr-defined]
    for index, views in enumerate(batches):
        parts.append(renderer.customers_batch(views, index == 0))  # type: ignore[attr-defined]
    parts.append(renderer.customers_end())  # type: ignore[attr-defined]
    return b"".join(parts)


def _expected(batches: list[list[CustomerView]]) -> list[dict[str, str]]:
    return [dict(zip(CUSTOMER_FIELDS, view, strict=True)) for views in batches for view in views]


@given(BATCHES)
def test_json_rows_read_back(batches: list[list[CustomerView]]) -> None:
    document = _document(render_json, batches)
    assert json.loads(document.decode("utf-8")) == _expected(batches)


@given(BATCHES)
def test_json_rows_are_what_json_dumps_writes(batches: list[list[CustomerView]]) -> None:
    document = _document(render_json, batches)
    expected = json.dumps(_expected(batches), ensure_ascii=False, separators=(",", ":"))
    assert document == expected.encode("utf-8") + b"\n"


@given(BATCHES)
def test_xml_rows_read_back(batches: list[list[CustomerView]]) -> None:
    document = _document(render_xml, batches)
    root = ET.fromstring(document)
    rows = [{child.tag: child.text or "" for child in user} for user in root]
    assert root.tag == "users"
    assert rows == _expected(batches)


PLAIN_ROW = tuple(f"value{index}" for index in range(len(CUSTOMER_FIELDS)))


@given(st.sampled_from(["&", "<", ">", '"', "\\", "é", "☃", "\t"]), st.integers(0, 14))
def test_one_special_character_anywhere_in_a_batch_is_escaped(special: str, column: int) -> None:
    # The batch's other rows need no escaping: the probe must still see the one that does.
    odd = tuple(
        f"x{special}y" if index == column else value for index, value in enumerate(PLAIN_ROW)
    )
    batches = [[PLAIN_ROW, odd, PLAIN_ROW]]
    assert json.loads(_document(render_json, batches).decode("utf-8")) == _expected(batches)
    rows = ET.fromstring(_document(render_xml, batches))
    assert [{child.tag: child.text or "" for child in row} for row in rows] == _expected(batches)
