"""sender domains: a customer's allowed sender domains (empty: any sender)

Entries in comparison form (IDNA, lower case), comma-separated; see
domain/senders.py and docs/decisions.md, "Sender domains".

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer_profiles") as batch:
        batch.add_column(sa.Column("sender_domains", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("customer_profiles") as batch:
        batch.drop_column("sender_domains")
