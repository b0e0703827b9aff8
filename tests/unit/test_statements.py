"""Hot statements run on the driver: same values as SQLAlchemy, long results streamed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from gridreseller.db.repository import LOGIN_FOR_AUTH, LoginRow
from gridreseller.db.statements import execute
from gridreseller.db.tables import Login
from gridreseller.domain.access import StoredLogin
from gridreseller.services import operator
from tests.support import container_for

NAMES = select(Login.username, Login.created_at, Login.active).order_by(Login.username_key)


def test_login_rows_name_the_columns_of_their_statement() -> None:
    assert LoginRow._fields == tuple(column.name for column in LOGIN_FOR_AUTH.selected_columns)


def test_values_come_back_as_sqlalchemy_gives_them(fresh_database_url: str) -> None:
    ctx = container_for(fresh_database_url).services
    operator.create_distributor(ctx, "typed", "typed-pass", "t@example.com")
    with ctx.uow.read() as repository:
        ours = execute(repository.connection, NAMES).rows
        theirs = [tuple(row) for row in repository.connection.execute(NAMES)]
        login = repository.login_for_auth("typed")
    assert ours == theirs
    assert isinstance(ours[0][1], datetime)
    assert ours[0][2] is True
    assert isinstance(login, StoredLogin)
    assert login.username == "typed"
