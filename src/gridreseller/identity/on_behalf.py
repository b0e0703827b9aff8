"""A distributor acting as one of its own live customers (`On-Behalf-Of`, docs/api.md).

The distributor has already been let in (by its password or one of its keys). The
customer named must be live and belong to it; anything else is one refusal, the same
whether the name is unknown, deleted, another distributor's customer, a credential or
a distributor: nothing tells a caller which names exist elsewhere. The customer's own
state then decides, as it would for the customer's own request.
"""

from __future__ import annotations

from gridreseller.domain import rules
from gridreseller.domain.access import Denial, LoginState, Principal, Purpose, Role, decide
from gridreseller.domain.errors import DomainError, Forbidden
from gridreseller.identity.storage import LoginLookup, Transactions


class NotOwnCustomer(DomainError):
    """The name is no live customer of the calling distributor (403 `access forbidden`)."""

    def __init__(self) -> None:
        super().__init__("access forbidden")


async def act_as_customer(
    uow: Transactions[LoginLookup],
    distributor: Principal,
    username: str,
    purpose: Purpose,
) -> Principal:
    """The principal of the customer `username` of `distributor`, admitted for `purpose`
    (its rule judges the customer's state: an inactive customer may not send)."""
    if distributor.role is not Role.DISTRIBUTOR or rules.has_illegal_characters(username):
        raise NotOwnCustomer()
    key = rules.username_key(username) if username else ""
    login = await uow.run_read(lambda r: r.login_for_auth(key)) if key else None
    if (
        login is None
        or not login.live
        or login.state.role is not Role.CUSTOMER
        or login.tenant_id != distributor.account_id
    ):
        raise NotOwnCustomer()
    _admit(login.state, purpose)
    return Principal(
        login.login_id,
        login.username,
        login.state.role,
        login.account_id,
        login.tenant_id,
        login.state.permissions,
        distributor.client,
        purpose,
        "",
    )


def _admit(state: LoginState, purpose: Purpose) -> None:
    denial: Denial | None = decide(state, purpose)
    if denial is not None:
        raise Forbidden(denial)
