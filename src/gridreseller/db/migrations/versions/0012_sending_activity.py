"""sending activity: per account, day and surface, counters kept as mail is sent

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COUNTERS = ("messages", "recipients", "credits_used", "messages_refused", "recipients_refused")


def upgrade() -> None:
    op.create_table(
        "sending_activity",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("surface", sa.String(length=16), nullable=False),
        sa.Column("distributor_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTERS),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["logins.id"],
            name=op.f("fk_sending_activity_account_id_logins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "day", "surface", name=op.f("pk_sending_activity")),
    )
    op.create_index(
        "ix_sending_activity_distributor_day", "sending_activity", ["distributor_id", "day"]
    )


def downgrade() -> None:
    op.drop_index("ix_sending_activity_distributor_day", table_name="sending_activity")
    op.drop_table("sending_activity")
