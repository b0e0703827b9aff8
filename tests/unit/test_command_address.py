"""mail/addresses.py parses MAIL FROM and RCPT TO arguments as aiosmtpd's own
`SMTP._getaddr` does: the same address and rest, the same refusals, for the plain
form it reads itself and for everything it hands to the `email` package's parser."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import SMTP
from hypothesis import given, settings
from hypothesis import strategies as st

from gridreseller.mail.addresses import _PLAIN, command_address

ATEXT = "abcXYZ019!#$%&'*+-/=?^_`{|}~"
atoms = st.text(alphabet=ATEXT + ".", max_size=8)
suffixes = st.sampled_from(
    ["", " SIZE=100", "  BODY=8BITMIME", " ", "x", " (note) SIZE=1", "\tSIZE=1", ' "q"', ">",
     " <", " SIZE=1 BODY=7BIT", " é", "(x)"]
)  # fmt: skip
anything = st.text(alphabet=list('ab.@<> \t"()[]\\,:;!#{|}~=-_é'), max_size=14)


def aiosmtpd_parse(arg: str, limit: int) -> object:
    server = SMTP.__new__(SMTP)  # _getaddr reads only local_part_limit
    server.local_part_limit = limit
    return outcome(server._getaddr, arg)


def outcome(parse: object, *args: object) -> object:
    try:
        return parse(*args)  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001 - the same failure is part of the same result
        return type(error)


@settings(max_examples=1500)
@given(
    st.sampled_from(["<", " <"]),
    atoms,
    st.sampled_from(["@", "", "@@"]),
    atoms,
    st.sampled_from([">", " >", ""]),
    suffixes,
    st.sampled_from([0, 3]),
)
def test_address_forms_parse_as_aiosmtpd_parses_them(
    opening: str, local: str, at: str, domain: str, closing: str, suffix: str, limit: int
) -> None:
    arg = opening + local + at + domain + closing + suffix
    assert outcome(command_address, arg, limit) == aiosmtpd_parse(arg, limit)


@settings(max_examples=1500)
@given(anything, st.sampled_from([0, 3]))
def test_any_argument_parses_as_aiosmtpd_parses_it(arg: str, limit: int) -> None:
    assert outcome(command_address, arg, limit) == aiosmtpd_parse(arg, limit)


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("<sender@example.com>", ("sender@example.com", "")),
        ("<sender@example.com> SIZE=2048", ("sender@example.com", "SIZE=2048")),
        ("<sender@example.com>  BODY=8BITMIME", ("sender@example.com", "BODY=8BITMIME")),
        ("<first.last+tag@mail.example.com>", ("first.last+tag@mail.example.com", "")),
    ],
)  # fmt: skip
def test_the_usual_forms_take_the_quick_way(arg: str, expected: tuple[str, str]) -> None:
    assert _PLAIN.match(arg) is not None
    assert command_address(arg, 0) == expected == aiosmtpd_parse(arg, 0)


@pytest.mark.parametrize(
    "arg", ["<>", '<"quoted local"@example.com>', "<@route:a@example.com>", "<a@[127.0.0.1]>",
            "<jörg@example.com>", " <a@example.com>", "<a@example.com>(comment)"],
)  # fmt: skip
def test_other_forms_go_to_the_email_parser(arg: str) -> None:
    assert _PLAIN.match(arg) is None
    assert outcome(command_address, arg, 0) == aiosmtpd_parse(arg, 0)


def test_a_local_part_over_the_limit_is_refused() -> None:
    assert command_address("<abcd@example.com>", 3) == (None, None)
    assert command_address("<abc@example.com>", 3) == ("abc@example.com", "")
