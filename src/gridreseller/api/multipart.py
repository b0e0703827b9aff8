"""multipart/form-data bodies into (name, value) pairs, every byte checked as UTF-8.

python-multipart does the parsing. Starlette's form reader, on top of it, decodes
names and values that are not UTF-8 as Latin-1 instead of refusing them, so a
multipart body could store what the same bytes URL-encoded are refused for (400):
here a part whose name or value is not UTF-8 is a 400 naming it, in printable form.
"""

from __future__ import annotations

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from gridreseller.domain.audit import printable
from gridreseller.domain.errors import Invalid

NOT_MULTIPART = "request body is not valid multipart/form-data"


class _Parts:
    """Collects each part's Content-Disposition name and its bytes."""

    def __init__(self, max_parts: int) -> None:
        self.max_parts = max_parts
        self.parts: list[tuple[bytes, bytearray]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._data = bytearray()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin,
            "on_part_data": lambda data, start, end: self._data.extend(data[start:end]),
            "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._disposition, self._data = b"", bytearray()

    def _header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def _end(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise Invalid([NOT_MULTIPART])
        self.parts.append((name, self._data))
        if len(self.parts) > self.max_parts:
            raise Invalid([f"at most {self.max_parts} parameters are allowed"])


def multipart_pairs(content_type: str, body: bytes, max_parts: int) -> list[tuple[str, str]]:
    """The body's fields (file parts too, as text), or Invalid."""
    pairs = multipart_raw_pairs(content_type, body, max_parts)
    return [_decoded(name, value) for name, value in pairs]


def multipart_raw_pairs(content_type: str, body: bytes, max_parts: int) -> list[tuple[str, bytes]]:
    """The body's fields with their values' bytes as sent (names must be UTF-8)."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise Invalid([NOT_MULTIPART])
    collected = _Parts(max_parts)
    parser = MultipartParser(boundary, collected.callbacks())  # type: ignore[arg-type]
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        raise Invalid([NOT_MULTIPART]) from None
    return [(text_name(name), bytes(value)) for name, value in collected.parts]


def text_name(name: bytes) -> str:
    """A parameter's name as text, or Invalid showing it in printable form."""
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        shown = printable(name.decode("utf-8", "backslashreplace"))
        raise Invalid([f"a parameter name must be UTF-8 text: {shown}"[:300]]) from None


def _decoded(name: str, value: bytes) -> tuple[str, str]:
    try:
        return name, value.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid([f"{printable(name)[:100]} must be UTF-8 text"]) from None
