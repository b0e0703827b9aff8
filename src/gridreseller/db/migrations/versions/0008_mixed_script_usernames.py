"""mixed-script usernames: the report of stored names that a new login could not take

Revision ID: 0008
Revises: 0007

New usernames must not mix scripts (domain/usernames.py, after UTS #39's highly
restrictive level). This revision changes no row and no schema: a stored username
is how its owner logs in (and, for a credential, how its SMTP client is configured),
so renaming it is for the owner, not for a migration. Each stored name that mixes
scripts is named in a warning, with its login id and kind, so that the operator can
ask its owner to rename it; it keeps logging in under its key as before.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

# The runtime rule itself, as 0003 imports its key function (see there): the report
# names what today's code would refuse.
from gridreseller.domain.usernames import script_problem

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("gridreseller.migrations")

logins = sa.table(
    "logins",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("username", sa.String()),
)


def upgrade() -> None:
    query = sa.select(logins.c.id, logins.c.kind, logins.c.username).order_by(logins.c.id)
    for row in op.get_bind().execute(query):
        problem = script_problem("username", row.username)
        if problem:
            log.warning(
                "%s login %d keeps its username %r, which a new login could not take "
                "(%s); it still logs in, but ask its owner to rename it",
                row.kind,
                row.id,
                row.username,
                problem,
            )


def downgrade() -> None:
    """Nothing to undo: the upgrade only reported."""
