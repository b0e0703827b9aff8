"""Hot statements run on the driver: same values as SQLAlchemy, long results streamed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from gridreseller.db.records.credits import LIMIT_OF_CUSTOMER
from gridreseller.db.records.logins import stored_login
from gridreseller.db.repository import LOGIN_FOR_AUTH, LoginRow
from gridreseller.db.statements import execute
from gridreseller.db.tables import Login
from gridreseller.domain.access import LoginState, Role, StoredLogin
from gridreseller.domain.credits import Period, SendingLimit
from gridreseller.domain.models import Permissions
from gridreseller.services import operator
from tests.database import unit_of_work
from tests.support import container_for

NAMES = select(Login.username, Login.created_at, Login.active).order_by(Login.username_key)


def test_login_rows_name_the_columns_of_their_statement() -> None:
    assert LoginRow._fields == tuple(column.name for column in LOGIN_FOR_AUTH.selected_columns)


def test_a_stored_login_reads_each_column_where_login_row_puts_it() -> None:
    """A customer's credential: its flags are its customer's, its tenant two levels up."""
    row = LoginRow(
        id=7,
        kind="credential",
        username="Sender",
        username_key="sender",
        password_hash="$hash",
        deleted_at=None,
        owner_id=5,
        active=True,
        website_access=True,
        perm_email=1,
        perm_web=0,
        perm_api=1,
        owner_kind="customer",
        owner_deleted_at=None,
        owner_owner_id=2,
        owner_active=False,
        owner_website_access=True,
    )
    login = stored_login(row)
    assert (login.login_id, login.username, login.username_key) == (7, "Sender", "sender")
    assert (login.password_hash, login.live, login.account_id, login.tenant_id) == (
        "$hash",
        True,
        5,
        2,
    )
    assert login.state == LoginState(
        Role.CUSTOMER_CREDENTIAL,
        Permissions(1, 0, 1),
        distributor_disabled=False,
        customer_active=False,
        customer_website_access=True,
    )


def test_values_come_back_as_sqlalchemy_gives_them(fresh_database_url: str) -> None:
    ctx = container_for(fresh_database_url).services
    operator.create_distributor(ctx, "typed", "typed-pass", "t@example.com")
    with unit_of_work(ctx).read() as repository:
        ours = execute(repository.connection, NAMES).rows
        theirs = [tuple(row) for row in repository.connection.execute(NAMES)]
        login = repository.login_for_auth("typed")
    assert ours == theirs
    assert isinstance(ours[0][1], datetime)
    assert ours[0][2] is True
    assert isinstance(login, StoredLogin)
    assert login.username == "typed"


def test_a_sending_limit_reads_back_as_stored(fresh_database_url: str) -> None:
    ctx = container_for(fresh_database_url).services
    operator.create_distributor(ctx, "limited", "limited-pass", "l@example.com")
    stored = SendingLimit(
        100, 7, date(2026, 11, 30), Period.WEEKLY, date(2026, 11, 2), date(2027, 1, 31)
    )
    with unit_of_work(ctx).write() as repository:
        login_id = repository.distributor_id("limited")
        assert login_id is not None
        repository.store_limit(login_id, stored, datetime.now(UTC))
    with unit_of_work(ctx).read() as repository:
        ours = execute(repository.connection, LIMIT_OF_CUSTOMER, customer_id=login_id).rows
        theirs = [
            tuple(row)
            for row in repository.connection.execute(LIMIT_OF_CUSTOMER, {"customer_id": login_id})
        ]
        read_back = repository.sending_limit(login_id)
    assert ours == theirs
    assert read_back == stored
