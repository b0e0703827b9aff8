"""Acting with API keys in the service tests: a primary login as a key manager, a key
made and presented, and what the access core answered."""

from __future__ import annotations

from typing import Any

import pytest

from gridreseller.domain.access import Purpose
from gridreseller.domain.api_keys import KeyCaller, KeyPrincipal
from gridreseller.domain.errors import Forbidden, Unauthorized
from gridreseller.services import api_keys
from gridreseller.services.api_keys import CreatedKey, CreateKey
from tests.factories import CLIENT, Account, Factory, run_coroutine

# The surface's purpose a key is presented for: one on the API, which every primary
# account has (the key's own rule, not this purpose's, judges its account).
ON_API = Purpose.API_CREDENTIALS


def login(factory: Factory, account: Account) -> KeyCaller:
    """The account's own login as a key manager (every primary may call credentials/*)."""
    coroutine = factory.ctx.identity.authenticate(
        account.username, account.password, CLIENT, Purpose.API_CREDENTIALS
    )
    return KeyCaller.login(run_coroutine(coroutine))


def create(
    factory: Factory, caller: KeyCaller, name: str = "main", scopes: Any = None
) -> CreatedKey:
    return run_coroutine(api_keys.create_key(factory.ctx, caller, CreateKey(name, scopes)))


def authenticate(factory: Factory, key: str, client: str = CLIENT) -> KeyPrincipal:
    return run_coroutine(api_keys.authenticate_key(factory.ctx, key, client, ON_API))


def as_key(factory: Factory, key: str) -> KeyCaller:
    return authenticate(factory, key).caller


def refused(factory: Factory, key: str) -> type[Exception]:
    """Which refusal presenting `key` got (it must get one)."""
    with pytest.raises((Unauthorized, Forbidden)) as raised:
        authenticate(factory, key)
    return type(raised.value)
