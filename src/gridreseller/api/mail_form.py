"""mail.send's form (docs/api.md): what its clients send, into Params.

Three things set it apart from the other calls' forms:

- array parameters come in three spellings, `to`, `to[]` and `to[0]`, `to[1]`...
  (the 1.x Python client sends `to[]`, the Node client a repeated bare `to`); every
  spelling adds to one array, in the order sent;
- `files[NAME]` values are bytes in any encoding: the 1.x Python client puts a file's
  raw bytes into an urlencoded body, so they are kept as bytes (`Params.uploads`);
- every other value is text, percent-encoded UTF-8 as on every call.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from gridreseller.api.legacy.params import Params
from gridreseller.api.multipart import text_name
from gridreseller.domain.audit import printable
from gridreseller.domain.errors import Invalid

# The array parameters of mail.send.
ARRAYS = frozenset({"to", "toname", "cc", "ccname", "bcc", "bccname"})
UPLOAD_PREFIX = "files["
_INDEXED = re.compile(r"(?P<name>[a-z]+)\[(?:[0-9]{1,9})?\]")
RawPairs = list[tuple[str, bytes]]


def urlencoded_raw_pairs(body: bytes) -> RawPairs:
    """`name=value&...` with each value's bytes as sent (names must be UTF-8)."""
    pairs: RawPairs = []
    for field in body.split(b"&"):
        if not field:
            continue
        name, _, value = field.partition(b"=")
        pairs.append((text_name(unquote_to_bytes(name.replace(b"+", b" "))), _unquoted(value)))
    return pairs


def _unquoted(value: bytes) -> bytes:
    return unquote_to_bytes(value.replace(b"+", b" ")) if b"%" in value or b"+" in value else value


def mail_params(pairs: list[tuple[str, bytes | str]]) -> Params:
    """The form's parameters: arrays in any spelling, uploads as bytes, the rest text."""
    values: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    uploads: dict[str, bytes] = {}
    problems: list[str] = []
    for name, value in pairs:
        if name.startswith(UPLOAD_PREFIX):
            uploads[name] = value.encode("utf-8") if isinstance(value, str) else value
            continue
        text = _text_value(name, value, problems)
        array = array_name(name)
        if array is not None:
            arrays.setdefault(array, []).append(text)
        elif name.endswith("[]"):
            arrays.setdefault(name[:-2], []).append(text)
        else:
            values[name] = text
    if problems:
        raise Invalid(list(dict.fromkeys(problems)))
    return Params(values=values, arrays=arrays, uploads=uploads)


def array_name(name: str) -> str | None:
    """`to` for `to`, `to[]` and `to[7]`; None for a name that is no array of mail.send."""
    if name in ARRAYS:
        return name
    match = _INDEXED.fullmatch(name)
    return match["name"] if match and match["name"] in ARRAYS else None


def _text_value(name: str, value: bytes | str, problems: list[str]) -> str:
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{printable(name)[:100]} must be UTF-8 text")
        return ""
