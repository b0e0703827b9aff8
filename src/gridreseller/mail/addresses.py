"""The address of a MAIL FROM or RCPT TO command, parsed as aiosmtpd parses it.

aiosmtpd 1.4's `SMTP._getaddr` defines a `typing.Protocol` class on every call,
only to annotate a local variable, and the `email` package's parser it calls builds
a token tree for every address: together about 200 us an address, twice a message,
more than the rest of a command costs. Here the common form, `<local@domain>` of
plain atoms (optionally followed by parameters), is read with one regular
expression; anything else (quoting, comments, routes, literals, non-ASCII, the null
path) goes to the same parser aiosmtpd uses. The results are aiosmtpd's either way
(tests/unit/test_command_address.py compares them).
"""

from __future__ import annotations

import re
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError

# RFC 5322 atext (ASCII): what a dot-atom's atoms are made of.
_ATOM = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
# `<local@domain>`, then nothing, or spaces and a parameter keyword's first letter.
_PLAIN = re.compile(rf"<({_DOT_ATOM}@{_DOT_ATOM})>(?:\Z| +(?=[A-Za-z0-9]))")


def command_address(arg: str, local_part_limit: int) -> tuple[str | None, str | None]:
    """(address, the rest of the argument), ('', '') for an empty argument, and
    (None, None) for one that does not parse or whose local part is too long
    (`local_part_limit` 0: no limit)."""
    if not arg:
        return "", ""
    plain = _PLAIN.match(arg)
    if plain is not None:
        spec, rest = plain.group(1), arg[plain.end() :]
    else:
        try:
            address, rest = (
                get_angle_addr(arg) if arg.lstrip().startswith("<") else get_addr_spec(arg)
            )
        except HeaderParseError:
            return None, None
        spec = address.addr_spec
    local_part = spec.rpartition("@")[0]
    if local_part_limit and len(local_part) > local_part_limit:
        return None, None
    return spec, rest
