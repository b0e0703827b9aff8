"""dashboard sessions and the dashboard's shared form key

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("login_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["login_id"],
            ["logins.id"],
            name=op.f("fk_dashboard_sessions_login_id_logins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_dashboard_sessions_token_hash")),
    )
    op.create_index(
        "ix_dashboard_sessions_login_id", "dashboard_sessions", ["login_id"], unique=False
    )
    op.create_index(
        "ix_dashboard_sessions_last_seen_at", "dashboard_sessions", ["last_seen_at"], unique=False
    )
    op.create_table(
        "dashboard_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_dashboard_keys")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_keys")
    op.drop_index("ix_dashboard_sessions_last_seen_at", table_name="dashboard_sessions")
    op.drop_index("ix_dashboard_sessions_login_id", table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")
