"""Calling operations as a login and looking at what they refused."""

from __future__ import annotations

from typing import Any

import pytest

from gridreseller.api.legacy.operations import Operation, Selector
from gridreseller.domain.access import Purpose
from gridreseller.domain.errors import Invalid, NotFound, Problem, Unauthorized
from tests.factories import Account, Factory, run_coroutine

Runnable = Operation[Any] | Selector


def problems(
    factory: Factory, operation: Runnable, account: Account, **params: Any
) -> list[Problem]:
    """The problems an operation refused a request with (it must refuse it)."""
    with pytest.raises(Invalid) as raised:
        factory.run(operation, account, **params)
    assert raised.value.errors == [problem.message for problem in raised.value.problems]
    return raised.value.problems


def not_found(factory: Factory, operation: Runnable, account: Account, **params: Any) -> NotFound:
    """The "User not found" an operation answered (it must answer one)."""
    with pytest.raises(NotFound) as raised:
        factory.run(operation, account, **params)
    assert raised.value.message == "User not found"
    return raised.value


def logs_in(factory: Factory, username: str, password: str) -> bool:
    """Whether the access core lets this login in (to credentials/*, which every
    primary account may call)."""
    login = factory.ctx.identity.authenticate(username, password, "-", Purpose.API_CREDENTIALS)
    try:
        run_coroutine(login)
    except Unauthorized:
        return False
    return True
