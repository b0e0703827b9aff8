"""A customer's allowed sender domains (services/senders.py) on the in-memory fake:
the list stored in comparison form, each entry once; only the distributor's own live
customer; audited. The real-database tests: tests/unit/services/test_sender_domains.py."""

from __future__ import annotations

import asyncio
import json

import pytest

from gridreseller.domain.errors import NotFound
from gridreseller.services.context import ServiceContext
from gridreseller.services.senders import SetSenderDomains, set_sender_domains
from tests.unit.fakes.conftest import World


def test_the_list_is_stored_each_entry_once_in_the_order_given(
    fake_ctx: ServiceContext, world: World
) -> None:
    entries = ["example.com", "", "*.example.org", "example.com"]
    command = SetSenderDomains("JANE", entries)  # the name in any case
    asyncio.run(set_sender_domains(fake_ctx, world.distributor, command))
    records = world.database.records
    assert records.sender_domains(world.customer.account_id) == "example.com,*.example.org"
    [entry] = records.state.audit
    assert (entry.action, entry.target, entry.actor) == ("customer.sender_domains", "jane", "dist")
    assert json.loads(entry.details) == {"sender_domains": ["example.com", "*.example.org"]}


def test_an_empty_list_allows_any_sender(fake_ctx: ServiceContext, world: World) -> None:
    set_list = SetSenderDomains("jane", ["example.com"])
    asyncio.run(set_sender_domains(fake_ctx, world.distributor, set_list))
    asyncio.run(set_sender_domains(fake_ctx, world.distributor, SetSenderDomains("jane", [""])))
    assert world.database.records.sender_domains(world.customer.account_id) == ""
    assert json.loads(world.database.records.state.audit[-1].details) == {"sender_domains": []}


@pytest.mark.parametrize("user", ["joe", "nobody", "dist"])
def test_only_the_distributors_own_customer_and_nothing_changes(
    fake_ctx: ServiceContext, world: World, user: str
) -> None:
    """Another distributor's customer, an unknown name and the distributor itself are
    all "not found"."""
    command = SetSenderDomains(user, ["example.com"])
    with pytest.raises(NotFound):
        asyncio.run(set_sender_domains(fake_ctx, world.distributor, command))
    records = world.database.records
    assert records.sender_domains(world.other_customer.account_id) == ""
    assert records.state.audit == []
    assert world.database.writes == 0


def test_a_deleted_customer_is_not_found(fake_ctx: ServiceContext, world: World) -> None:
    world.database.records.delete_customer(world.customer.account_id, fake_ctx.clock())
    command = SetSenderDomains("jane", ["example.com"])
    with pytest.raises(NotFound):
        asyncio.run(set_sender_domains(fake_ctx, world.distributor, command))
