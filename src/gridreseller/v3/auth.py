"""Who calls `/v3`: `Authorization: Bearer <API key>`, or `Basic` with a primary
account's username and password; then, for a distributor, `On-Behalf-Of: <username>`
of one of its own live customers (docs/api.md, "The v3 API").

Whichever way, the access core judges it (identity/authenticator.py): one throttle
budget, the same failures counted and audited. A missing or unreadable header is a
failed key like any other, so it is counted too.
"""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

from starlette.types import Scope

from gridreseller.domain.access import Principal, Purpose
from gridreseller.domain.api_keys import KeyCaller
from gridreseller.http.headers import authorization, header
from gridreseller.identity.on_behalf import NotOwnCustomer
from gridreseller.v3.parts import V3Parts

# Every /v3 call acts as an account sending over HTTP or managing its own keys: the
# rule of a key's account (an inactive customer's keys are refused) applies to a
# password login alike.
PURPOSE = Purpose.SEND_MAIL_HTTP


class V3Caller(NamedTuple):
    """The account the request acts as, and the scopes it holds (a login: all)."""

    principal: Principal
    keys: KeyCaller


async def authenticate(parts: V3Parts, scope: Scope, client: str) -> V3Caller:
    caller = await _own_caller(parts, scope, client)
    on_behalf = header(scope, b"on-behalf-of")
    if on_behalf is None:
        return caller
    try:
        username = on_behalf.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise NotOwnCustomer() from None
    customer = await parts.on_behalf(caller.principal, username, PURPOSE)
    keys = caller.keys
    return V3Caller(customer, KeyCaller(customer.actor, keys.scopes, keys.key_id))


async def _own_caller(parts: V3Parts, scope: Scope, client: str) -> V3Caller:
    scheme, credentials = authorization(scope)
    identity = parts.identity
    if scheme == "basic":
        username, password = _basic(credentials)
        principal = await identity.authenticate(username, password, client, PURPOSE)
        return V3Caller(principal, KeyCaller.login(principal))
    presented = credentials if scheme == "bearer" else ""
    key = await identity.authenticate_key(presented, client, PURPOSE)
    return V3Caller(key.principal, key.caller)


def _basic(credentials: str) -> tuple[str, str]:
    """`user:password`, base64 of UTF-8; an unreadable one is an empty login (which
    fails, and is counted, like a wrong password)."""
    try:
        decoded = base64.b64decode(credentials.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        return "", ""
    username, _, password = decoded.partition(":")
    return username, password
