"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 21:51:45.796405
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("username_key", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("website_access", sa.Boolean(), nullable=False),
        sa.Column("perm_email", sa.Integer(), nullable=False),
        sa.Column("perm_web", sa.Integer(), nullable=False),
        sa.Column("perm_api", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["logins.id"], name=op.f("fk_logins_owner_id_logins"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logins")),
        sa.UniqueConstraint("username_key", name=op.f("uq_logins_username_key")),
    )
    with op.batch_alter_table("logins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_logins_owner_kind_key", ["owner_id", "kind", "username_key"], unique=False
        )

    op.create_table(
        "ip_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("distributor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["distributor_id"],
            ["logins.id"],
            name=op.f("fk_ip_groups_distributor_id_logins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ip_groups")),
        sa.UniqueConstraint("distributor_id", "name", name=op.f("uq_ip_groups_distributor_id")),
    )
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("distributor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("overage", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("has_reseller", sa.Boolean(), nullable=False),
        sa.Column("has_ip", sa.Boolean(), nullable=False),
        sa.Column("distributor_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["distributor_id"],
            ["logins.id"],
            name=op.f("fk_packages_distributor_id_logins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("distributor_id", "name", name=op.f("uq_packages_distributor_id")),
    )
    op.create_table(
        "customer_ip_groups",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["logins.id"],
            name=op.f("fk_customer_ip_groups_customer_id_logins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["ip_groups.id"],
            name=op.f("fk_customer_ip_groups_group_id_ip_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "group_id", name=op.f("pk_customer_ip_groups")),
    )
    op.create_table(
        "customer_profiles",
        sa.Column("login_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=50), nullable=False),
        sa.Column("last_name", sa.String(length=50), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("zip", sa.String(length=50), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("website", sa.String(length=255), nullable=False),
        sa.Column("company", sa.String(length=255), nullable=False),
        sa.Column("whitelabel", sa.String(length=255), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("free_user", sa.Boolean(), nullable=False),
        sa.Column("billing_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["login_id"],
            ["logins.id"],
            name=op.f("fk_customer_profiles_login_id_logins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_customer_profiles_package_id_packages")
        ),
        sa.PrimaryKeyConstraint("login_id", name=op.f("pk_customer_profiles")),
    )
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_profiles_package_id"), ["package_id"], unique=False
        )

    op.create_table(
        "ip_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["ip_groups.id"],
            name=op.f("fk_ip_addresses_group_id_ip_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ip_addresses")),
        sa.UniqueConstraint("address", name=op.f("uq_ip_addresses_address")),
    )
    op.create_table(
        "customer_ips",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("ip_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["logins.id"],
            name=op.f("fk_customer_ips_customer_id_logins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ip_id"],
            ["ip_addresses.id"],
            name=op.f("fk_customer_ips_ip_id_ip_addresses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "ip_id", name=op.f("pk_customer_ips")),
    )


def downgrade() -> None:
    op.drop_table("customer_ips")
    op.drop_table("ip_addresses")
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_profiles_package_id"))

    op.drop_table("customer_profiles")
    op.drop_table("customer_ip_groups")
    op.drop_table("packages")
    op.drop_table("ip_groups")
    with op.batch_alter_table("logins", schema=None) as batch_op:
        batch_op.drop_index("ix_logins_owner_kind_key")

    op.drop_table("logins")
