"""username profile: every login keyed by RFC 8265's UsernameCaseMapped (case folding)

Revision ID: 0003
Revises: 0002

Recomputes `logins.username_key` for every row and, on PostgreSQL, widens the column
for keys that case folding made longer (SQLite does not enforce the width). Two rows
whose usernames are one username under the profile stop the upgrade with a report
naming them, before anything is changed: merging accounts is for their owners to
decide, not for a migration.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

# The runtime key function itself, not a copy: what this revision promises is that
# every stored key is the one the code computes for its name, and a copy would go on
# computing the old rule once the code's rule changed. The file stays valid when the
# code moves on because migrations always run up to head: a later change that alters
# keys (a new rule, or a newer Unicode database in Python or in precis-i18n's tables)
# comes with a revision of its own that recomputes them, so 0003 computing the newer
# keys is what head expects anyway. What must stay is these two names and their
# meaning; whoever renames them edits this import.
from gridreseller.domain.usernames import username_key, username_problem

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Widths as of this revision, fixed here: a migration describes one step of the schema.
OLD_WIDTH = 100
NEW_WIDTH = 300
# A placeholder no key can equal (keys are case-folded: never an ASCII capital), so
# rewriting keys row by row never trips the unique index on a key not yet rewritten.
PLACEHOLDER = "MIGRATING-0003-{}"

log = logging.getLogger("gridreseller.migrations")


class _Login(NamedTuple):
    id: int
    username: str
    key: str


logins = sa.table(
    "logins",
    sa.column("id", sa.Integer()),
    sa.column("username", sa.String()),
    sa.column("username_key", sa.String()),
)


def upgrade() -> None:
    connection = op.get_bind()
    query = sa.select(logins.c.id, logins.c.username, logins.c.username_key)
    rows = [_Login(*row) for row in connection.execute(query.order_by(logins.c.id))]
    keys = {row.id: username_key(row.username) for row in rows}
    report = _collisions(rows, keys) + _too_long(rows, keys)
    if report:
        raise RuntimeError(
            "cannot upgrade to revision 0003 (username profile), nothing was changed: "
            + "; ".join(report)
        )
    _warn_refused(rows)
    _set_width(NEW_WIDTH, OLD_WIDTH)
    _rewrite_keys(connection, {row.id: keys[row.id] for row in rows if keys[row.id] != row.key})


def downgrade() -> None:
    """Back to 0002's rule, the lower-cased username (fails if a key would not fit)."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(logins.c.id, logins.c.username)).all()
    _rewrite_keys(connection, {row.id: row.username.lower() for row in rows})
    _set_width(OLD_WIDTH, NEW_WIDTH)


def _collisions(rows: Sequence[_Login], keys: dict[int, str]) -> list[str]:
    """One entry per group of rows that would share a key."""
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        groups[keys[row.id]].append(f"{row.username!r} (id {row.id})")
    return [
        " = ".join(names) + " are one username; rename all but one of them"
        for names in groups.values()
        if len(names) > 1
    ]


def _too_long(rows: Sequence[_Login], keys: dict[int, str]) -> list[str]:
    return [
        f"{row.username!r} (id {row.id}) is longer than {NEW_WIDTH} characters once "
        "case-folded; rename it"
        for row in rows
        if len(keys[row.id]) > NEW_WIDTH
    ]


def _warn_refused(rows: Sequence[_Login]) -> None:
    """A stored name that a new login could not take keeps working (a name the profile
    refuses is keyed by NFC and case folding); only new usernames are held to the rule."""
    for row in rows:
        problem = username_problem("username", row.username)
        if problem:
            log.warning(
                "login %d keeps its username %r, which a new login could not take (%s); "
                "it still logs in, but consider renaming it",
                row.id,
                row.username,
                problem,
            )


def _set_width(width: int, current: int) -> None:
    """PostgreSQL enforces the width. SQLite ignores declared lengths, and changing
    one means rebuilding `logins`, whose DROP would run the ON DELETE CASCADE of every
    table that refers to it while foreign keys are on: the SQLite column keeps its
    declared VARCHAR(100) and holds any key all the same."""
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "logins",
        "username_key",
        existing_type=sa.String(length=current),
        type_=sa.String(length=width),
        existing_nullable=False,
    )


def _rewrite_keys(connection: sa.Connection, keys: dict[int, str]) -> None:
    """Every changed key through a placeholder first, all or nothing (on SQLite too,
    where the migration's statements would otherwise commit one by one)."""
    if not keys:
        return
    statement = (
        sa.update(logins)
        .where(logins.c.id == sa.bindparam("row_id"))
        .values(username_key=sa.bindparam("key"))
    )
    with connection.begin_nested():
        placeholders = [{"row_id": i, "key": PLACEHOLDER.format(i)} for i in keys]
        connection.execute(statement, placeholders)
        connection.execute(statement, [{"row_id": i, "key": key} for i, key in keys.items()])
