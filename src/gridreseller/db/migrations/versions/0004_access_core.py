"""access core: shared throttle state, the surface of audit events

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACCOUNT_KEY = 320


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("surface", sa.String(length=16), nullable=False, server_default="api")
        )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=ACCOUNT_KEY), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_occurred_at", "login_failures", ["occurred_at"], unique=False
    )
    op.create_index(
        "ix_login_failures_account_time", "login_failures", ["account_key", "occurred_at"]
    )
    op.create_index("ix_login_failures_network_time", "login_failures", ["network", "occurred_at"])
    op.create_index(
        "ix_login_failures_account_address", "login_failures", ["account_key", "address"]
    )
    op.create_table(
        "throttle_locks",
        sa.Column("key", sa.String(length=ACCOUNT_KEY + 80), nullable=False),
        sa.Column("locks", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_locks")),
    )
    op.create_table(
        "trusted_pairs",
        sa.Column("account_key", sa.String(length=ACCOUNT_KEY), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("trusted_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_key", "address", name=op.f("pk_trusted_pairs")),
    )
    op.create_index("ix_trusted_pairs_trusted_until", "trusted_pairs", ["trusted_until"])


def downgrade() -> None:
    op.drop_table("trusted_pairs")
    op.drop_table("throttle_locks")
    op.drop_table("login_failures")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("surface")
