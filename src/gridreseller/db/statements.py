"""Hot statements: built with SQLAlchemy Core, compiled once per dialect, run on the driver.

SQLAlchemy's execution path (connection events, result wrapping, per-call type
dispatch) costs 40-100 us a statement; the statements on every request (the
login lookup, a customer's row, a flag change, an audit row) cost under 10 us on
SQLite. So those few are compiled once per dialect and executed on the driver's
connection, with SQLAlchemy's own bind and result processors applied: the SQL
text and the stored formats stay exactly SQLAlchemy's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]
DriverRow = tuple[Any, ...]
DRIVER_VALUES = "gridreseller_driver_values"
E = TypeVar("E", bound=Executable)


def with_driver_values(statement: E) -> E:
    """The statement, its rows left as the driver gives them (on SQLite, 0/1 for a
    boolean and text for a datetime): for the hottest reads, whose readers only test
    truth and None, so converting every row would be work for nothing."""
    return statement.execution_options(**{DRIVER_VALUES: True})


class Prepared:
    """One statement's SQL text for one dialect, and how to pass and read its values."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        names = compiled.bind_names
        # Literal values written into the statement (kind = 'customer') travel as binds.
        self._fixed = {names[b]: b.effective_value for b in names if not b.required}
        self._processors: dict[str, Processor] = {}
        for bind, name in names.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self._processors[name] = process
        self._order: Sequence[str] | None = compiled.positiontup if dialect.positional else None
        driver_values = isinstance(statement, Executable) and bool(
            statement.get_execution_options().get(DRIVER_VALUES)
        )
        self._results = [] if driver_values else _result_processors(statement, dialect)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        merged = {**self._fixed, **values}
        for name, process in self._processors.items():
            merged[name] = process(merged[name])
        if self._order is None:
            return merged
        return [merged[name] for name in self._order]

    def many(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Parameters for executemany; on a positional driver (sqlite3), without the
        merged dict per row that `parameters` builds (a batch is thousands of rows)."""
        if self._order is None or self._fixed:
            return [self.parameters(values) for values in rows]
        plan = [(name, self._processors.get(name)) for name in self._order]
        return [
            [values[name] if process is None else process(values[name]) for name, process in plan]
            for values in rows
        ]

    def rows(self, raw: list[DriverRow]) -> list[DriverRow]:
        """Driver values as SQLAlchemy would give them (SQLite's 0/1 as booleans...)."""
        if not self._results:
            return raw
        return [self._convert(row) for row in raw]

    def _convert(self, row: DriverRow) -> DriverRow:
        values = list(row)
        for index, process in self._results:
            values[index] = process(values[index])
        return tuple(values)


def _result_processors(statement: ClauseElement, dialect: Dialect) -> list[tuple[int, Processor]]:
    columns = getattr(statement, "selected_columns", ())
    found = []
    for index, column in enumerate(columns):
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            found.append((index, process))
    return found


# Keyed by the statement object itself (hashed by identity): meant for statements
# built once at import, of which there are a handful.
_PREPARED: dict[tuple[ClauseElement, str], Prepared] = {}


def prepared(statement: ClauseElement, dialect: Dialect) -> Prepared:
    """The statement compiled for this dialect, once per process."""
    key = (statement, dialect.name)
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = Prepared(statement, dialect)
    return found


class Outcome:
    """What a statement returned: its rows (all fetched) and the rows it changed."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[DriverRow], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount


def execute(connection: Connection, statement: ClauseElement, **values: Any) -> Outcome:
    """Run a module-level statement on the connection's driver connection.

    Every row is fetched before returning: on SQLite a statement left unfinished
    would hold its read snapshot open on a connection that is used again.
    """
    plan = prepared(statement, connection.dialect)
    cursor = _driver_cursor(connection)
    try:
        cursor.execute(plan.sql, plan.parameters(values))
        rows = plan.rows(cast(list[DriverRow], cursor.fetchall())) if cursor.description else []
        return Outcome(rows, cursor.rowcount)
    finally:
        cursor.close()


def execute_many(
    connection: Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Run a module-level statement once per row of values, in one driver call."""
    plan = prepared(statement, connection.dialect)
    cursor = _driver_cursor(connection)
    try:
        cursor.executemany(plan.sql, plan.many(rows))
    finally:
        cursor.close()


def _driver_cursor(connection: Connection) -> Any:
    # sqlite3's or psycopg's own connection (the DBAPI connection of a sync driver):
    # no SQLAlchemy result machinery on the hot path.
    driver = connection.connection.dbapi_connection
    assert driver is not None
    return driver.cursor()
