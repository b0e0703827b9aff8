"""Usernames over HTTP, on SQLite and on PostgreSQL alike (issue 14, items 5 and 6):
names that case folding makes longer (U+0130) never answer 500, spellings of one
username are one username, and look-alikes are a 400 on `username`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from gridreseller.domain.usernames import username_key
from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.support import errors, parse

DOTTED_I = "\u0130"  # LATIN CAPITAL LETTER I WITH DOT ABOVE: case folding makes two of it
TAKEN = ["username is already taken"]
BAD_LOGIN = ["Bad username / password"]
REFUSED = {
    "zero-width space": (
        "jo\u200bhn-{}@example.com",
        "username must not contain invisible or direction-control characters",
    ),
    "right-to-left override": (
        "\u202ejohn-{}@example.com",
        "username must not contain invisible or direction-control characters",
    ),
    "trailing no-break space": ("john-{}@example.com\u00a0", "username must not contain spaces"),
    "leading space": (" john-{}@example.com", "username must not contain spaces"),
}


def dotted(length: int) -> str:
    """A unique name of `length` characters, mostly U+0130; its key is far longer."""
    tag, suffix = uuid.uuid4().hex[:8], "@example.com"
    return tag + DOTTED_I * (length - len(tag) - len(suffix)) + suffix


def add(factory: Factory, fmt: str, distributor: Distributor, username: str) -> httpx.Response:
    params = customer_params(distributor.package, username=username)
    return factory.call("distributor.add", fmt, distributor, **params)


def rename(
    factory: Factory, fmt: str, distributor: Distributor, user: str, username: str
) -> httpx.Response:
    params: dict[str, Any] = {"method": "profile", "task": "setUsername", "user": user}
    return factory.call("distributor.manage", fmt, distributor, username=username, **params)


def listed(factory: Factory, fmt: str, distributor: Distributor) -> list[str]:
    response = factory.call("distributor.manage", fmt, distributor, method="profile", task="get")
    assert response.status_code == 200, response.text
    return [row["username"] for row in parse(response)]


def logs_in(factory: Factory, username: str, password: str = "secret-pass") -> int:
    return factory.call("credentials/get", "json", Account(username, password)).status_code


def test_a_name_whose_key_outgrows_the_old_column_is_added(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    name = dotted(64)  # a key of 108 characters
    response = add(factory, fmt, distributor, name)
    assert response.status_code == 200, response.text
    assert listed(factory, fmt, distributor) == [name]
    assert logs_in(factory, name) == 200
    assert logs_in(factory, username_key(name)) == 200  # its case-folded spelling


def test_an_over_long_dotted_name_is_a_400_on_username(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, DOTTED_I * 60 + "@example.com")
    assert response.status_code == 400, response.text
    assert errors(response) == ["username must be no more than 64 characters"]
    assert listed(factory, fmt, distributor) == []


def test_set_username_to_a_dotted_name(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    new = dotted(100)  # a key of 180 characters
    response = rename(factory, fmt, distributor, customer.username, new)
    assert response.status_code == 200, response.text
    assert listed(factory, fmt, distributor) == [new]
    assert logs_in(factory, new) == 200
    assert logs_in(factory, customer.username) == 401
    response = rename(factory, fmt, distributor, new, dotted(101))
    assert response.status_code == 400, response.text
    assert errors(response) == ["username must be no more than 100 characters"]


def test_sharp_s_after_double_s_is_taken(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    tag = unique("s")
    first = factory.customer(distributor, username=f"STRASSE-{tag}@example.com")
    response = add(factory, fmt, distributor, f"stra\u00dfe-{tag}@example.com")
    assert response.status_code == 400, response.text
    assert errors(response) == TAKEN
    other = factory.customer(distributor)
    response = rename(factory, fmt, distributor, other.username, f"Stra\u00dfe-{tag}@example.com")
    assert response.status_code == 400, response.text
    assert errors(response) == TAKEN
    assert sorted(listed(factory, fmt, distributor)) == sorted([first.username, other.username])
    assert logs_in(factory, f"stra\u00dfe-{tag}@example.com") == 200  # first's other spelling


@pytest.mark.parametrize(("pattern", "message"), REFUSED.values(), ids=REFUSED)
def test_look_alikes_are_a_400_on_username(
    factory: Factory, fmt: str, pattern: str, message: str
) -> None:
    distributor = factory.distributor()
    response = add(factory, fmt, distributor, pattern.format(unique("l")))
    assert response.status_code == 400, response.text
    assert errors(response) == [message]
    assert listed(factory, fmt, distributor) == []


def fullwidth(name: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)


def test_fullwidth_spelling_of_a_taken_name_is_taken(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    response = add(factory, fmt, distributor, fullwidth(customer.username))
    assert response.status_code == 400, response.text
    assert errors(response) == TAKEN


def test_any_spelling_of_a_login_logs_in(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    for spelling in (fullwidth(distributor.username), distributor.username.upper()):
        response = factory.call(
            "distributor.packages", fmt, Account(spelling, distributor.password)
        )
        assert response.status_code == 200, (spelling, response.text)


def test_an_api_user_the_profile_refuses_is_a_bad_login(factory: Factory, fmt: str) -> None:
    distributor = factory.distributor()
    for api_user in (distributor.username + "\u200b", " " + distributor.username):
        wrong = Account(api_user, distributor.password)
        response = factory.call("distributor.packages", fmt, wrong)
        assert response.status_code == 401, response.text
        assert errors(response) == BAD_LOGIN


def test_a_mixed_script_name_is_a_400_on_username(factory: Factory, fmt: str) -> None:
    """Issue 21: a Greek omicron among Latin letters, beside the Latin name it imitates.
    Customers take any script but one at a time; credential names are ASCII only."""
    distributor = factory.distributor()
    tag = unique("l")
    assert add(factory, fmt, distributor, f"look-{tag}@example.com").status_code == 200
    response = add(factory, fmt, distributor, f"l\u03bfok-{tag}@example.com")
    assert response.status_code == 400, response.text
    assert errors(response) == [
        "username must not mix letters of different scripts (Latin and Greek)"
    ]
    digits = str(uuid.uuid4().int)[:12]  # a tag of digits, which go with any script
    greek = f"\u03bb\u03cc\u03b3\u03bf\u03c2-{digits}@example.com"
    assert add(factory, fmt, distributor, greek).status_code == 200
    assert sorted(listed(factory, fmt, distributor)) == sorted([f"look-{tag}@example.com", greek])
    params = {"password": "cred-secret", "permissions": "{}"}
    response = factory.call("credentials/add", fmt, distributor, username="l\u03bfok", **params)
    assert response.status_code == 400, response.text
    assert errors(response) == ["username must be 1 to 64 letters, digits or _ . - @ +"]
    response = factory.call("credentials/get", fmt, distributor)
    assert response.status_code == 200, response.text
    assert parse(response) == [], response.text  # no credential was added
