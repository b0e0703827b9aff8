"""db/ implements the stores the services and the access core declare, by their shape
alone: mypy checks the assignments below, and the test compares every declared
method's parameters with the implementation's (so a renamed keyword fails here too)."""

from __future__ import annotations

import inspect

import pytest

from gridreseller.db.repository import Repository
from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.identity.storage import AccessRecords, AccessTransactions, Transactions
from gridreseller.services.storage import Records, ServiceTransactions


def _db_is_what_they_declare(repository: Repository, uow: UnitOfWork) -> None:
    """Never called: mypy holds db's classes to the Protocols here."""
    records: Records = repository
    access: AccessRecords = repository
    services: ServiceTransactions = uow
    identity: AccessTransactions = uow
    del records, access, services, identity


def declared(protocol: type) -> list[str]:
    return sorted(
        name
        for klass in protocol.__mro__
        if klass not in (object,) and getattr(klass, "_is_protocol", False)
        for name, member in vars(klass).items()
        if callable(member) and not name.startswith("_")
    )


PAIRS = [(Records, Repository), (AccessRecords, Repository), (ServiceTransactions, UnitOfWork)]


@pytest.mark.parametrize(("protocol", "implementation"), PAIRS)
def test_every_declared_method_is_implemented_with_its_parameters(
    protocol: type, implementation: type
) -> None:
    names = declared(protocol)
    assert len(names) >= 6
    for name in names:
        wanted = inspect.signature(getattr(protocol, name)).parameters
        found = inspect.signature(getattr(implementation, name)).parameters
        assert [(p.name, p.kind) for p in found.values()] == [
            (p.name, p.kind) for p in wanted.values()
        ], name


def test_the_transactions_are_the_same_for_both() -> None:
    assert set(declared(Transactions)) <= set(declared(ServiceTransactions))
    assert {"run_read", "run_write", "read", "write"} <= set(declared(Transactions))
