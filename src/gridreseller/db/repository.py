"""The repository: queries and intent methods over one connection. It never commits.

Its parts live in db/records/, one module per kind of record; they return named
records of the domain (never ORM rows) and change rows by intent (create a customer,
set a flag, rename a login), so no service builds rows or names columns. The hot
statements (the login lookup, a listed customer, a flag, an audit row) are compiled
once and run on the driver (statements.py).
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.session import JoinTransactionMode

from gridreseller.db.records.activity import ActivityRecords
from gridreseller.db.records.api_keys import ApiKeyRecords
from gridreseller.db.records.audit import AUDIT_INSERT, AuditRecords
from gridreseller.db.records.audit_trail import AuditTrailRecords
from gridreseller.db.records.catalog import CatalogRecords
from gridreseller.db.records.credentials import CredentialRecords
from gridreseller.db.records.credits import CreditRecords
from gridreseller.db.records.customer_search import CustomerSearchRecords
from gridreseller.db.records.customers import (
    CUSTOMER_LIST,
    CUSTOMER_LIST_AFTER,
    CUSTOMER_LIST_FIRST,
    CUSTOMER_LIST_ONE,
    SET_FLAG,
    CustomerRecords,
)
from gridreseller.db.records.logins import LOGIN_BY_ID, LOGIN_FOR_AUTH, LoginRecords, LoginRow
from gridreseller.db.records.operator import OperatorRecords
from gridreseller.db.session_store import SessionRecords
from gridreseller.db.throttle_store import ThrottleRecords
from gridreseller.domain.records import (
    KEY_COLUMN,
    CustomerRow,
    DistributorRecord,
    DistributorSummary,
    IpSummary,
    PackageSummary,
)

__all__ = [
    "AUDIT_INSERT",
    "CUSTOMER_LIST",
    "CUSTOMER_LIST_AFTER",
    "CUSTOMER_LIST_FIRST",
    "CUSTOMER_LIST_ONE",
    "KEY_COLUMN",
    "LOGIN_BY_ID",
    "LOGIN_FOR_AUTH",
    "SET_FLAG",
    "CustomerRow",
    "DistributorRecord",
    "DistributorSummary",
    "IpSummary",
    "LoginRow",
    "PackageSummary",
    "Repository",
]


PING = text("SELECT 1")


class Repository(
    LoginRecords,
    CustomerRecords,
    CustomerSearchRecords,
    CredentialRecords,
    CreditRecords,
    CatalogRecords,
    AuditRecords,
    OperatorRecords,
    ApiKeyRecords,
    ActivityRecords,
    AuditTrailRecords,
    SessionRecords,
    ThrottleRecords,
):
    """Core queries on `connection`; an ORM session bound to it for the operator's
    commands, made on first use. It implements the stores the services and the access
    core declare (services/storage.py, identity/storage.py) by their shape alone."""

    def __init__(
        self, connection: Connection, session: Session | None = None, *, nested: bool = False
    ) -> None:
        self.connection = connection
        self._session = session
        # Inside a group commit's transaction a session keeps to a savepoint.
        self._join: JoinTransactionMode = "create_savepoint" if nested else "conditional_savepoint"

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(
                bind=self.connection,
                autoflush=False,
                expire_on_commit=False,
                join_transaction_mode=self._join,
            )
        return self._session

    def ping(self) -> None:
        """One round trip: the database answers."""
        self.connection.execute(PING)

    def finish(self) -> None:
        """Write what the ORM staged (into the enclosing transaction)."""
        if self._session is not None:
            self._session.commit()
            self._session.close()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
