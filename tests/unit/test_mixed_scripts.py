"""Mixed-script usernames (issue 21): a name whose letters mix scripts is refused, after
UTS #39's highly restrictive level, with a message naming the field; one script, or
one of the combinations Japanese, Chinese and Korean write with Latin, is accepted."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gridreseller.api.legacy import customers, manage
from gridreseller.api.legacy.params import Params
from gridreseller.db.tables import Login
from gridreseller.domain.errors import Invalid
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.domain.scripts import mixed_scripts
from gridreseller.domain.usernames import script_problem, username_problem
from gridreseller.services import operator
from gridreseller.services.context import ServiceContext
from tests.factories import customer_params
from tests.support import container_for

LATIN_GREEK = "username must not mix letters of different scripts (Latin and Greek)"
LATIN_CYRILLIC = "username must not mix letters of different scripts (Latin and Cyrillic)"

REFUSED = {
    "Greek omicron among Latin": ("l\u03bfok@example.com", LATIN_GREEK),
    "Cyrillic a in a domain label": ("look@ex\u0430mple.com", LATIN_CYRILLIC),
    "Cyrillic o without a domain": ("l\u043eok", LATIN_CYRILLIC),
    # Common by itself, Greek once case folded: judged on the compared form.
    "micro sign beside Latin": (
        "\u00b5x@example.com",
        "username must not mix letters of different scripts (Greek and Latin)",
    ),
    "three scripts": (
        "ab\u0430\u03b2",
        "username must not mix letters of different scripts (Latin, Cyrillic and Greek)",
    ),
    "Hangul with kana": (
        "\ud55c\uad6d\u304b\u306a",
        "username must not mix letters of different scripts (Hangul and Hiragana)",
    ),
    "Cyrillic with Greek": (
        "\u0438\u0432\u03b1\u03bd",
        "username must not mix letters of different scripts (Cyrillic and Greek)",
    ),
}

ACCEPTED = {
    "Latin with digits and punctuation": "john.doe_42-x+tag@example.com",
    "plain Latin": "look",
    "Greek": "\u03bb\u03cc\u03b3\u03bf\u03c2",
    "Greek email local part": "\u03bb\u03cc\u03b3\u03bf\u03c2@example.com",
    "Cyrillic local part, Latin domain": "\u0438\u0432\u0430\u043d@example.com",
    "Latin local part, Cyrillic domain": "ivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",
    "Han": "\u7530\u4e2d",
    "Japanese with Latin": "tanaka\u7530\u4e2d\u305f\u306a\u304b\u30bf\u30ef\u30fc",
    "Korean with Latin": "kim\uae40\u91d1",
    "Chinese with Bopomofo and Latin": "li\u674e\u3105",
    "Hebrew": "\u05e9\u05dc\u05d5\u05dd",
    "Arabic": "\u0633\u0644\u0627\u0645",
    "Devanagari": "\u0928\u092e\u0938\u094d\u0924\u0947",
    "Latin with a combining accent": "jose\u0301@example.com",
}


@pytest.mark.parametrize(("name", "message"), REFUSED.values(), ids=REFUSED)
def test_mixed_scripts_are_refused_naming_the_field(name: str, message: str) -> None:
    assert username_problem("username", name) == message
    assert script_problem("username", name) == message


@pytest.mark.parametrize("name", ACCEPTED.values(), ids=ACCEPTED)
def test_one_script_or_an_allowed_combination_is_accepted(name: str) -> None:
    assert username_problem("username", name) is None
    assert script_problem("username", name) is None


def test_the_message_names_the_parameter() -> None:
    problem = username_problem("new_name", "l\u03bfok")
    assert problem == "new_name must not mix letters of different scripts (Latin and Greek)"


def test_scripts_are_named_in_order_of_appearance() -> None:
    assert mixed_scripts("\u03bfl") == ("Greek", "Latin")
    assert mixed_scripts("look") == ()
    assert mixed_scripts("42-_.") == ()


def test_the_profile_speaks_first() -> None:
    """A name the profile refuses is refused for that reason, however it mixes."""
    assert username_problem("username", "l\u03bfok doe") == "username must not contain spaces"


# Through the services: nothing written ---------------------------------------------------


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> ServiceContext:
    url = f"sqlite:///{tmp_path_factory.mktemp('scripts') / 'unit.db'}"
    return container_for(url).services


@pytest.fixture(scope="module")
def distributor(ctx: ServiceContext) -> Actor:
    operator.create_distributor(ctx, "dist", "dist-pass", "dist@example.com")
    operator.create_package(ctx, "dist", operator.PackageSpec(name="basic"))
    return Actor(operator.distributor_id(ctx, "dist"), LoginKind.DISTRIBUTOR, "dist")


def add(ctx: ServiceContext, actor: Actor, username: str) -> None:
    params = Params(values=customer_params("basic", username=username))
    asyncio.run(customers.ADD.run(ctx, actor, params))


def usernames(ctx: ServiceContext) -> list[str]:
    with ctx.uow.read() as repository:
        return sorted(repository.session.scalars(select(Login.username)))


def test_add_rename_and_operator_refuse_a_mixed_name(
    ctx: ServiceContext, distributor: Actor
) -> None:
    add(ctx, distributor, "look@example.com")
    before = usernames(ctx)
    with pytest.raises(Invalid) as raised:
        add(ctx, distributor, "l\u03bfok@example.com")
    assert raised.value.errors == [LATIN_GREEK]
    params = Params.of(
        method="profile", task="setUsername", user="look@example.com", username="l\u043eok@x.org"
    )
    with pytest.raises(Invalid) as raised:
        asyncio.run(manage.MANAGE.run(ctx, distributor, params))
    assert raised.value.errors == [LATIN_CYRILLIC]
    with pytest.raises(Invalid) as raised:
        operator.create_distributor(ctx, "l\u03bfok", "another-pass", "d@example.com")
    assert raised.value.errors == [LATIN_GREEK]
    assert usernames(ctx) == before


def test_a_single_script_name_is_added(ctx: ServiceContext, distributor: Actor) -> None:
    add(ctx, distributor, "\u0438\u0432\u0430\u043d@example.com")
    assert "\u0438\u0432\u0430\u043d@example.com" in usernames(ctx)


# Properties ----------------------------------------------------------------------------

LETTERS = {
    "Latin": "abcdefghijklmnopqrstuvwxyz\u00e9\u00df",
    "Greek": "\u03b1\u03b2\u03b3\u03b4\u03bf\u03c0\u03c3\u03c9\u03ac",
    "Cyrillic": "\u0430\u0431\u0432\u0433\u0434\u043e\u0440\u0441\u044f\u0451",
    "Armenian": "\u0561\u0562\u0563\u0564\u0565",
}
COMMON = "0123456789_.-+"
EXAMPLES = settings(max_examples=200, deadline=None)


@EXAMPLES
@given(script=st.sampled_from(sorted(LETTERS)), data=st.data())
def test_letters_of_one_script_with_digits_and_punctuation_are_accepted(
    script: str, data: st.DataObject
) -> None:
    alphabet = LETTERS[script] + COMMON
    local = data.draw(st.text(st.sampled_from(LETTERS[script]), min_size=1, max_size=8))
    local += data.draw(st.text(st.sampled_from(alphabet), max_size=12))
    assert script_problem("username", local) is None
    assert script_problem("username", f"{local}@example.com") is None


@EXAMPLES
@given(
    pair=st.sampled_from([(a, b) for a in sorted(LETTERS) for b in sorted(LETTERS) if a < b]),
    data=st.data(),
)
def test_letters_of_two_scripts_in_one_part_are_refused(
    pair: tuple[str, str], data: st.DataObject
) -> None:
    first, second = (data.draw(st.sampled_from(LETTERS[script])) for script in pair)
    around = [data.draw(st.text(st.sampled_from(COMMON + LETTERS[pair[0]]), max_size=6))]
    local = around[0] + first + data.draw(st.text(st.sampled_from(COMMON), max_size=4)) + second
    problem = script_problem("username", f"{local}@example.com")
    assert problem is not None and problem.startswith("username must not mix letters")
    assert all(script in problem for script in pair), problem
