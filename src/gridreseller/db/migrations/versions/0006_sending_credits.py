"""sending credits: a customer's limit (docs/api.md, sending credits)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sending_limits",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("credit_remain", sa.BigInteger(), nullable=False),
        sa.Column("last_reset", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["logins.id"],
            name=op.f("fk_sending_limits_customer_id_logins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_sending_limits")),
    )


def downgrade() -> None:
    op.drop_table("sending_limits")
