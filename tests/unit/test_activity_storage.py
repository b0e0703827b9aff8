"""The sending activity's table on both databases: migration 0012 builds it as
db/tables.py declares it and takes it away again; the upsert adds to a day's row, in
one statement however many rows (and repeats of one row) a batch holds."""

from __future__ import annotations

from datetime import date

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from gridreseller.bootstrap import Container
from gridreseller.db.migrate import alembic_config
from gridreseller.db.tables import Base
from gridreseller.domain.access import Purpose
from gridreseller.domain.activity import ActivityKey, Counts, DayFigures
from tests.factories import Factory
from tests.support import container_for

TABLE = "sending_activity"


def _ours(item: object, name: str | None, type_: str, *_: object) -> bool:
    if type_ == "table":
        return name == TABLE
    return getattr(getattr(item, "table", None), "name", None) == TABLE


def test_the_migrated_table_matches_the_metadata(container: Container) -> None:
    with container.uow.engine.connect() as connection:
        options = {"compare_type": True, "include_object": _ours}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, Base.metadata) == []


def test_the_table_comes_and_goes_with_its_revision(fresh_database_url: str) -> None:
    engine = container_for(fresh_database_url).uow.engine
    config = alembic_config(engine)
    before = ScriptDirectory.from_config(config).get_revision("0012").down_revision
    assert isinstance(before, str)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, before)
    assert TABLE not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert TABLE in inspect(engine).get_table_names()
    engine.dispose()


def test_counts_add_up_per_account_day_and_surface(factory: Factory, container: Container) -> None:
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    owner = factory.actor(customer, Purpose.API_CREDENTIALS)
    tenant = owner.tenant_id
    assert tenant is not None
    day = date(2025, 6, 1)
    smtp = ActivityKey(owner.account_id, tenant, day, "smtp")
    api = smtp._replace(surface="api")
    later = smtp._replace(day=date(2025, 6, 2))
    with container.uow.write() as repository:
        repository.count_activity([(smtp, Counts(messages=1, recipients=2))])
    with container.uow.write() as repository:
        repository.count_activity(
            [
                (smtp, Counts(messages=1, recipients=3, credits_used=4)),
                (smtp, Counts(credits_used=-1, recipients_refused=2)),  # one row twice
                (api, Counts(messages_refused=1)),
                (later, Counts(messages=5, recipients=5)),
            ]
        )
    with container.uow.read() as repository:
        mine = repository.activity_by_day(day, day, account_id=owner.account_id)
        whole = repository.activity_by_day(day, later.day, distributor_id=tenant)
        outside = repository.activity_by_day(date(2025, 5, 1), date(2025, 5, 31), account_id=1)
    assert mine == [
        DayFigures(day, "api", Counts(messages_refused=1)),
        DayFigures(day, "smtp", Counts(2, 5, 3, 0, 2)),
    ]
    assert whole == [*mine, DayFigures(later.day, "smtp", Counts(5, 5))]
    assert outside == []
