"""The real unit of work behind a service context, for tests that look at or set up
rows directly (the services see it only through services/storage.py's Protocols)."""

from __future__ import annotations

from gridreseller.db.unit_of_work import UnitOfWork
from gridreseller.services.context import ServiceContext


def unit_of_work(ctx: ServiceContext) -> UnitOfWork:
    """The context's unit of work, which bootstrap.py made from db/."""
    assert isinstance(ctx.uow, UnitOfWork), "a context built by bootstrap.build_container"
    return ctx.uow
