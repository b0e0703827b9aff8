"""sending credits: a generation per limit, and a limit removed kept as a row

Credits taken for a recipient that is not relayed after all are given back only to
the limit they were taken from. `generation` changes at every set (total,
recurring, none, each periodic reset), so a give-back can tell; `limited` false is
a limit removed (`none`), kept so that its generation goes on counting and a limit
set again later never matches a give-back of an earlier one.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sending_limits") as batch:
        batch.add_column(
            sa.Column("generation", sa.BigInteger(), nullable=False, server_default="1")
        )
        batch.add_column(
            sa.Column("limited", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM sending_limits WHERE NOT limited"))
    with op.batch_alter_table("sending_limits") as batch:
        batch.drop_column("limited")
        batch.drop_column("generation")
