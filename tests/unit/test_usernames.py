"""Usernames compared by RFC 8265's UsernameCaseMapped profile with full case folding
(issue 14, items 5 and 6): one username however it is spelt, look-alikes refused with
a message naming the field, and nothing written for a refused one."""

from __future__ import annotations

import asyncio
import itertools
import unicodedata
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gridreseller.api.legacy import credentials, customers, manage
from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import LoginEmail, NewUsername, ParseContext
from gridreseller.api.legacy.params import Params
from gridreseller.db.tables import Login
from gridreseller.domain import rules
from gridreseller.domain.errors import Invalid
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.domain.usernames import KEY_LENGTH, username_key, username_problem
from gridreseller.services import operator
from gridreseller.services.context import ServiceContext
from tests.database import unit_of_work
from tests.factories import customer_params
from tests.support import container_for

TAKEN = ["username is already taken"]
INVISIBLE = "username must not contain invisible or direction-control characters"
SPACES = "username must not contain spaces"
CONTROLS = "username must not contain control characters"
LOOK_ALIKE = "username must not contain look-alike forms of letters or digits (such as ① or ²)"
BIDI = "username must not mix right-to-left and left-to-right text"
NOT_ALLOWED = "username must not contain characters that are not allowed in a username"
TOO_LONG = "username must be no more than 300 characters once case-folded"

# Each pair is one username; str.lower kept every one of them apart.
ONE_USERNAME = {
    # Capital SIGMA ALPHA SIGMA, which str.lower ends with a final sigma.
    "sigma": ("\u03a3\u0391\u03a3", "\u03c3\u03b1\u03c3"),
    "sharp s": ("STRASSE@example.com", "stra\u00dfe@example.com"),
    "long s": ("\u017fam@example.com", "sam@example.com"),
    # Greek once folded: the micro sign beside a Latin x would mix scripts.
    "micro sign and mu": ("\u00b5\u03b1@example.com", "\u03bc\u03b1@example.com"),
    "fullwidth letters": ("\uff4a\uff4f\uff48\uff4e@example.com", "john@example.com"),
    "NFC and NFD": ("jos\u00e9@example.com", "jose\u0301@example.com"),
    "fi ligature": ("\ufb01le@example.com", "file@example.com"),
}

# Look-alikes and invisible characters: each refused, with this message.
REFUSED = {
    "zero-width space": ("jo\u200bhn@example.com", INVISIBLE),
    "right-to-left override": ("\u202ejohn@example.com", INVISIBLE),
    "soft hyphen": ("jo\u00adhn@example.com", INVISIBLE),
    "zero-width joiner after a virama": ("\u0915\u094d\u200d\u0937@example.com", INVISIBLE),
    "line separator": ("john\u2028doe@example.com", INVISIBLE),
    "leading space": (" john@example.com", SPACES),
    "trailing space": ("john@example.com ", SPACES),
    "inner space": ("john doe@example.com", SPACES),
    "trailing no-break space": ("john@example.com\u00a0", SPACES),
    "ideographic space": ("john\u3000doe@example.com", SPACES),
    "space beside Hebrew": ("\u05e9\u05dc\u05d5\u05dd \u05e9\u05dc\u05d5\u05dd", SPACES),
    "C1 control": ("john\u0085@example.com", CONTROLS),
    "circled digit": ("john\u2460@example.com", LOOK_ALIKE),
    "superscript two": ("john\u00b2@example.com", LOOK_ALIKE),
    "black-letter capital H": ("\u210cans@example.com", LOOK_ALIKE),
    "Hebrew then Latin": ("\u05e9\u05dc\u05d5\u05dd@example.com", BIDI),
    "snowman": ("john\u2603@example.com", NOT_ALLOWED),
}

# Format characters (Cf, which holds every bidi control), separators (Zs, Zl, Zp) and
# controls (Cc); the bidi controls once more by name, so they are always tried.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLES = st.characters(categories=["Cf", "Zs", "Zl", "Zp", "Cc"]) | st.sampled_from(
    BIDI_CONTROLS
)
# Surroundings in which the profile itself lets ZERO WIDTH (NON-)JOINER through.
JOINING = ["", "john", "@example.com", "\u0915\u094d", "\u0937", "\u0628"]
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
EXAMPLES = settings(max_examples=200, deadline=None)


def _spelling_groups() -> list[list[str]]:
    """Spellings of one key, drawn from single characters: their cases, NFD forms,
    width and compatibility variants, and the key itself (ß, ẞ, ss, SS, ...)."""
    groups: dict[str, set[str]] = defaultdict(set)
    ranges = [(0x21, 0x250), (0x370, 0x530), (0x1E00, 0x2000), (0x2100, 0x2150)]
    ranges += [(0xFB00, 0xFB07), (0xFF01, 0xFF5F)]
    for code in itertools.chain.from_iterable(range(*bounds) for bounds in ranges):
        char = chr(code)
        key = username_key(char)
        for spelling in {char, char.upper(), char.lower(), unicodedata.normalize("NFD", char), key}:
            if username_problem("username", spelling) is None and username_key(spelling) == key:
                groups[key].add(spelling)
    return [sorted(group) for group in groups.values() if len(group) > 1]


SPELLINGS = _spelling_groups()
_tags = itertools.count(1)


def tagged(name: str) -> str:
    """`name` made unique: every test of this module shares one database. Digits and a
    hyphen go with any script, so a Greek name stays a Greek one."""
    return f"{next(_tags)}-{name}"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> ServiceContext:
    return container_for(f"sqlite:///{tmp_path_factory.mktemp('usernames') / 'unit.db'}").services


@pytest.fixture(scope="module")
def distributor(ctx: ServiceContext) -> Actor:
    """A distributor `dist` with a package `basic`."""
    operator.create_distributor(ctx, "dist", "dist-pass", "dist@example.com")
    operator.create_package(ctx, "dist", operator.PackageSpec(name="basic"))
    return Actor(operator.distributor_id(ctx, "dist"), LoginKind.DISTRIBUTOR, "dist")


@st.composite
def one_username_two_spellings(draw: st.DrawFn) -> tuple[str, str]:
    groups = draw(st.lists(st.sampled_from(SPELLINGS), min_size=1, max_size=8))
    return (
        "".join(draw(st.sampled_from(group)) for group in groups),
        "".join(draw(st.sampled_from(group)) for group in groups),
    )


def add(ctx: ServiceContext, actor: Actor, username: str) -> None:
    params = Params(values=customer_params("basic", username=username))
    asyncio.run(customers.ADD.run(ctx, actor, params))


def refusal(ctx: ServiceContext, actor: Actor, username: str) -> list[str]:
    """The errors of a distributor.add of `username`, which must write nothing."""
    before = count_logins(ctx)
    with pytest.raises(Invalid) as raised:
        add(ctx, actor, username)
    assert count_logins(ctx) == before
    return raised.value.errors


def count_logins(ctx: ServiceContext) -> int:
    with unit_of_work(ctx).read() as repository:
        return int(repository.session.scalar(select(func.count()).select_from(Login)) or 0)


def set_username(ctx: ServiceContext, actor: Actor, user: str, username: str) -> None:
    params = Params.of(method="profile", task="setUsername", user=user, username=username)
    asyncio.run(manage.MANAGE.run(ctx, actor, params))


def validation_errors(name: str) -> list[list[str]]:
    """What distributor.add's and setUsername's validation say about `name`."""
    return [add_errors(name), rename_errors(name)]


def add_errors(name: str) -> list[str]:
    return field_errors(Field("username", NewUsername(64), True), name)


def rename_errors(name: str) -> list[str]:
    return field_errors(Field("username", LoginEmail(100), True), name)


def field_errors(field: Field, name: str) -> list[str]:
    declaration: Declaration[dict[str, Any]] = Declaration(dict, (field,))
    context = ParseContext(6, date(2025, 1, 1), ("sendgrid.com",))
    _values, problems = declaration.read(Params.of(username=name), context)
    return [problem.message for problem in problems]


# The key -------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), ONE_USERNAME.values(), ids=ONE_USERNAME)
def test_spellings_of_one_username_share_its_key(first: str, second: str) -> None:
    assert first.lower() != second.lower()
    assert username_key(first) == username_key(second)
    assert rules.username_key(first) == username_key(first)


def test_key_is_the_profiles_case_folded_form() -> None:
    assert username_key("STRASSE@Example.COM") == "strasse@example.com"
    assert username_key("\u03a3\u0391\u03a3") == "\u03c3\u03b1\u03c3"
    assert username_key("Jose\u0301") == "jos\u00e9"
    assert username_key("\u0130" * 50) == "i\u0307" * 50  # twice as long as the name


def test_a_name_the_profile_refuses_keeps_a_key_of_nfc_and_case_folding() -> None:
    """What rows from before the profile keep, so that they still log in."""
    assert username_key("John Smith") == "john smith"
    assert username_key("STRASSE\u00a0") == "strasse\u00a0"
    assert username_key("A\u200bB") == "a\u200bb"


def test_key_length_is_bounded() -> None:
    assert username_problem("username", "\ufb03" * 100) is None  # ﬃ: a key of 300
    assert len(username_key("\ufb03" * 100)) == KEY_LENGTH
    assert username_problem("username", "\ufb03" * 101) == TOO_LONG
    assert username_problem("username", "a" * (KEY_LENGTH + 1)) == TOO_LONG
    # What no login holds keys as KEY_LENGTH + 1 characters, matching none.
    assert username_key("\ufb03" * 101) == "ffi" * 100 + "f"
    assert username_key("A" * 100_000) == "a" * (KEY_LENGTH + 1)


# Validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "message"), REFUSED.values(), ids=REFUSED)
def test_look_alikes_are_refused_with_their_reason(name: str, message: str) -> None:
    assert username_problem("username", name) == message
    assert validation_errors(name) == [[message], [message]]


def test_the_message_names_the_parameter() -> None:
    assert username_problem("new_name", "a b") == "new_name must not contain spaces"


@pytest.mark.parametrize(("first", "second"), ONE_USERNAME.values(), ids=ONE_USERNAME)
def test_second_spelling_of_a_customer_is_taken(
    ctx: ServiceContext, distributor: Actor, first: str, second: str
) -> None:
    tag = tagged("")
    add(ctx, distributor, tag + first)
    assert refusal(ctx, distributor, tag + second) == TAKEN
    assert refusal(ctx, distributor, tag + first) == TAKEN


@pytest.mark.parametrize(("name", "message"), REFUSED.values(), ids=REFUSED)
def test_add_refuses_look_alikes_and_writes_nothing(
    ctx: ServiceContext, distributor: Actor, name: str, message: str
) -> None:
    assert refusal(ctx, distributor, name) == [message]


def test_set_username_refuses_look_alikes_and_other_spellings(
    ctx: ServiceContext, distributor: Actor
) -> None:
    taken, bob = tagged("stra\u00dfe@example.com"), tagged("bob@example.com")
    add(ctx, distributor, taken)
    add(ctx, distributor, bob)
    for name, errors in [("jo\u200bhn@example.com", [INVISIBLE]), (taken.upper(), TAKEN)]:
        with pytest.raises(Invalid) as raised:
            set_username(ctx, distributor, bob, name)
        assert raised.value.errors == errors
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in bob)
    set_username(ctx, distributor, bob, fullwidth)  # a spelling of its own name
    with unit_of_work(ctx).read() as repository:
        renamed = repository.login_for_auth(username_key(bob))
        assert renamed is not None and renamed.username == fullwidth


def test_operator_refuses_look_alikes_and_other_spellings(
    ctx: ServiceContext, distributor: Actor
) -> None:
    with pytest.raises(Invalid) as raised:
        operator.create_distributor(ctx, "di\u200bst", "another-pass", "d@example.com")
    assert raised.value.errors == [INVISIBLE]
    with pytest.raises(Invalid) as raised:
        operator.create_distributor(ctx, "\uff24IST", "another-pass", "d@example.com")
    assert raised.value.errors == TAKEN


def test_credential_names_are_keyed_by_the_profile(ctx: ServiceContext, distributor: Actor) -> None:
    """Credential names are plain ASCII (docs/api.md, credentials/*): STRASSE is taken by
    straße all the same."""
    name = tagged("strasse")
    add(ctx, distributor, name.replace("ss", "\u00df"))
    params = Params(values={"username": name.upper(), "password": "cred-secret"})
    with pytest.raises(Invalid) as raised:
        asyncio.run(credentials.ADD.run(ctx, distributor, params))
    assert raised.value.errors == TAKEN


# Properties ----------------------------------------------------------------------------


@EXAMPLES
@given(spellings=one_username_two_spellings())
def test_any_two_spellings_of_one_key_are_one_username(
    ctx: ServiceContext, distributor: Actor, spellings: tuple[str, str]
) -> None:
    tag = tagged("")  # one database for every example: a name of its own each
    first, second = (tag + spelling for spelling in spellings)
    assume(add_errors(first) == add_errors(second) == [])
    assume(username_key(first) == username_key(second))
    add(ctx, distributor, first)
    assert refusal(ctx, distributor, second) == TAKEN


@EXAMPLES
@given(before=ANY_TEXT, invisible=INVISIBLES, after=ANY_TEXT)
def test_no_invisible_character_is_ever_accepted(before: str, invisible: str, after: str) -> None:
    for errors in validation_errors(before + invisible + after):
        assert errors, repr(before + invisible + after)
        assert all(error.startswith("username ") for error in errors), errors


@EXAMPLES
@given(before=st.sampled_from(JOINING), invisible=INVISIBLES, after=st.sampled_from(JOINING))
def test_an_invisible_character_is_named_as_such(before: str, invisible: str, after: str) -> None:
    for errors in validation_errors(before + invisible + after):
        assert errors in ([INVISIBLE], [SPACES], [CONTROLS]), errors
