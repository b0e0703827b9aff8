"""customer search: trigram indexes for the dashboard's substring search (PostgreSQL)

The dashboard's customer list finds a text anywhere in the username, the contact
email and the company, in any case (ILIKE '%text%'). A B-tree index cannot serve that;
pg_trgm's GIN indexes can, one per column. SQLite has no such index and needs none:
it scans a distributor's 100,000 customers in tens of milliseconds (docs/dashboard.md).

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (index, table, column)
TRIGRAM_INDEXES = (
    ("ix_logins_username_trgm", "logins", "username"),
    ("ix_logins_email_trgm", "logins", "email"),
    ("ix_customer_profiles_company_trgm", "customer_profiles", "company"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension: a database owner may create it without superuser.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, table, column in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {index} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index, _table, _column in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX {index}")
