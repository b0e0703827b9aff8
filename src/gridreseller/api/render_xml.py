"""Results as ISO-8859-1 XML (docs/api.md).

A minimal serializer: element names are constants of this module, every text is
escaped by the standard library's `xml.sax.saxutils.escape`, and the document is
encoded as ISO-8859-1 with every character outside Latin-1 written as a numeric
character reference. The input rules refuse characters XML cannot carry, but an
error message can still echo what a client sent (a field name, say): such
characters are written as visible backslash escapes, so every document is
well-formed whatever the input. (XMLGenerator did the same job three times slower,
which mattered for 100,000-customer lists.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from xml.sax.saxutils import escape

from gridreseller.api import render_json
from gridreseller.api.escape_probe import EscapeProbe
from gridreseller.domain.models import (
    CUSTOMER_FIELDS,
    CredentialList,
    CredentialView,
    CreditsView,
    CustomerView,
    PackageList,
    PackageView,
    Success,
)

# What XML 1.0 cannot carry at all (tab, LF and CR it can, but no stored value holds them).
ILLEGAL_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MEDIA_TYPE = "application/xml; charset=ISO-8859-1"
ENCODING = "ISO-8859-1"
DECLARATION = '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class _Writer:
    """Collects a document's parts; `drain` encodes what has accumulated."""

    def __init__(self) -> None:
        self.parts: list[str] = [DECLARATION]

    @contextmanager
    def element(self, name: str) -> Iterator[None]:
        self.parts.append(f"<{name}>")
        yield
        self.parts.append(f"</{name}>")

    def leaf(self, name: str, text: str) -> None:
        self.parts.append(f"<{name}>{escape(text)}</{name}>")

    def drain(self) -> bytes:
        """The document so far, ended with a newline (XML allows white space after the
        root element; docs/decisions.md, "A newline ends every answer")."""
        data = _encode("".join(self.parts)) + render_json.END
        self.parts = []
        return data


def _visible(found: re.Match[str]) -> str:
    return found.group().encode("unicode_escape").decode("ascii")


def _encode(text: str) -> bytes:
    """ISO-8859-1 with character references; characters XML cannot carry made visible
    (one search of the whole text: almost always there are none)."""
    if ILLEGAL_IN_XML.search(text):
        text = ILLEGAL_IN_XML.sub(_visible, text)
    return text.encode(ENCODING, "xmlcharrefreplace")


def render(
    result: Success | PackageList | CredentialList | CredentialView | CreditsView,
) -> bytes:
    writer = _Writer()
    if isinstance(result, CreditsView):
        _credits(writer, result)
    elif isinstance(result, Success):
        with writer.element("result"):
            writer.leaf("message", "success")
    elif isinstance(result, PackageList):
        _packages(writer, result)
    elif isinstance(result, CredentialList):
        with writer.element("credentials"):
            for credential in result.credentials:
                _credential(writer, credential)
    else:
        _credential(writer, result)
    return writer.drain()


def render_errors(errors: list[str]) -> bytes:
    writer = _Writer()
    with writer.element("result"):
        writer.leaf("message", "error")
        with writer.element("errors"):
            for error in errors:
                writer.leaf("error", error)
    return writer.drain()


def render_message(message: str) -> bytes:
    writer = _Writer()
    with writer.element("result"):
        writer.leaf("message", message)
    return writer.drain()


# A customer list, `<users><user>...</user></users>`, is written a batch at a time,
# each row by one format operation on a template of constant element names.
_USER = "<user>" + "".join(f"<{name}>%s</{name}>" for name in CUSTOMER_FIELDS) + "</user>"
NEEDS_ESCAPE = EscapeProbe("[&<>" + ILLEGAL_IN_XML.pattern[1:])


def customers_start() -> bytes:
    return (DECLARATION + "<users>").encode(ENCODING)


def customers_batch(views: list[CustomerView], _first: bool) -> bytes:
    if NEEDS_ESCAPE.escape_each_value(views):
        return _encode("".join([_USER % tuple(map(escape, view)) for view in views]))
    return "".join([_USER % view for view in views]).encode(ENCODING, "xmlcharrefreplace")


def customers_end() -> bytes:
    return b"</users>" + render_json.END


def _credits(writer: _Writer, view: CreditsView) -> None:
    fields = render_json.credits_fields(view)
    if not fields:
        writer.parts.append("<credits/>")
        return
    with writer.element("credits"):
        for name, value in fields.items():
            writer.leaf(name, value)


def _packages(writer: _Writer, result: PackageList) -> None:
    with writer.element("result"), writer.element("packages"):
        for package in result.packages:
            with writer.element("package"):
                for name, value in _package_fields(package):
                    writer.leaf(name, value)


def _package_fields(package: PackageView) -> list[tuple[str, str]]:
    return [
        ("name", package.name),
        ("price", _number(package.price)),
        ("description", package.description),
        ("credits", str(package.credits)),
        ("overage", _number(package.overage)),
        ("has_reseller", _flag(package.has_reseller)),
        ("has_ip", _flag(package.has_ip)),
        ("distributor_price", _number(package.distributor_price)),
    ]


def _credential(writer: _Writer, credential: CredentialView) -> None:
    with writer.element("credential"):
        writer.leaf("id", str(credential.id))
        writer.leaf("name", credential.name)
        with writer.element("permissions"):
            for bit, value in credential.permissions.as_dict().items():
                writer.leaf(bit, str(value))
        writer.leaf("created_at", credential.created_at.strftime(TIME_FORMAT))
        writer.leaf("updated_at", credential.updated_at.strftime(TIME_FORMAT))


def _number(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def _flag(value: bool) -> str:
    return "true" if value else "false"
