"""SQLAlchemy tables. Alembic's migrations are written against this metadata."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gridreseller.domain.usernames import KEY_LENGTH

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Throttling counts attempts by the username's comparison key, or for a name that is
# no valid username at all, by a bounded form of what was sent.
ACCOUNT_KEY_LENGTH = 320


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Login(Base):
    """Every identity that can log in: distributors, customers and credentials.

    One table, so that one unique index on `username_key` keeps usernames
    unique across all three kinds, enforced by the database. The key is the
    username profile's form (domain/usernames.py): case-insensitive, and blind to
    width, normalization and the other differences the profile maps away.
    """

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(100))
    username_key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # customer -> its distributor; credential -> the account it belongs to.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("logins.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    website_access: Mapped[bool] = mapped_column(Boolean, default=True)
    perm_email: Mapped[int] = mapped_column(Integer, default=0)
    perm_web: Mapped[int] = mapped_column(Integer, default=0)
    perm_api: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    profile: Mapped[CustomerProfile | None] = relationship(
        back_populates="login", uselist=False, lazy="raise"
    )

    __table_args__ = (Index("ix_logins_owner_kind_key", "owner_id", "kind", "username_key"),)


class CustomerProfile(Base):
    """What distributor.add records about a customer beyond its login."""

    __tablename__ = "customer_profiles"

    login_id: Mapped[int] = mapped_column(
        ForeignKey("logins.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(100))
    zip: Mapped[str] = mapped_column(String(50))
    country: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(50))
    website: Mapped[str] = mapped_column(String(255))
    company: Mapped[str] = mapped_column(String(255))
    whitelabel: Mapped[str] = mapped_column(String(255))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    free_user: Mapped[bool] = mapped_column(Boolean, default=False)
    billing_date: Mapped[date | None] = mapped_column(Date)
    # Allowed sender domains, comma-separated in comparison form; empty: any sender
    # (domain/senders.py).
    sender_domains: Mapped[str] = mapped_column(Text, default="", server_default="")

    login: Mapped[Login] = relationship(back_populates="profile", lazy="raise")
    package: Mapped[Package] = relationship(lazy="raise")


class Package(Base):
    __tablename__ = "packages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("logins.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    description: Mapped[str] = mapped_column(Text, default="")
    credits: Mapped[int] = mapped_column(Integer, default=0)
    overage: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal(0))
    has_reseller: Mapped[bool] = mapped_column(Boolean, default=False)
    has_ip: Mapped[bool] = mapped_column(Boolean, default=False)
    distributor_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))

    __table_args__ = (UniqueConstraint("distributor_id", "name"),)


class IpGroup(Base):
    __tablename__ = "ip_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("logins.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))

    __table_args__ = (UniqueConstraint("distributor_id", "name"),)


class IpAddress(Base):
    __tablename__ = "ip_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("ip_groups.id", ondelete="CASCADE"))
    # Canonical text form, so "::1" and "0::1" are one address.
    address: Mapped[str] = mapped_column(String(45), unique=True)


class CustomerIpGroup(Base):
    __tablename__ = "customer_ip_groups"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("logins.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("ip_groups.id", ondelete="CASCADE"), primary_key=True
    )


class CustomerIp(Base):
    __tablename__ = "customer_ips"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("logins.id", ondelete="CASCADE"), primary_key=True
    )
    ip_id: Mapped[int] = mapped_column(
        ForeignKey("ip_addresses.id", ondelete="CASCADE"), primary_key=True
    )


class AuditEvent(Base):
    """One change or one failed/throttled login. Never holds a password or a hash."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # The distributor whose tenant the event belongs to (None: an unknown login).
    distributor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))
    client: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    # The way in: api, smtp, dashboard or cli.
    surface: Mapped[str] = mapped_column(String(16), default="api", server_default="api")
    target: Mapped[str] = mapped_column(String(100))
    details: Mapped[str] = mapped_column(Text, default="{}")

    __table_args__ = (Index("ix_audit_events_distributor_time", "distributor_id", "occurred_at"),)


class LoginFailure(Base):
    """One failed login, counted per account, per (account, address) and per network.

    Rows, not counters: a success clears only its own (account, address) rows, and the
    account's failures from elsewhere keep counting (docs/security.md).
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_key: Mapped[str] = mapped_column(String(ACCOUNT_KEY_LENGTH))
    address: Mapped[str] = mapped_column(String(64))
    network: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    __table_args__ = (
        Index("ix_login_failures_account_time", "account_key", "occurred_at"),
        Index("ix_login_failures_network_time", "network", "occurred_at"),
        Index("ix_login_failures_account_address", "account_key", "address"),
    )


class ThrottleLock(Base):
    """A back-off in force for an account, a network or an (account, address) pair."""

    __tablename__ = "throttle_locks"

    key: Mapped[str] = mapped_column(String(ACCOUNT_KEY_LENGTH + 80), primary_key=True)
    locks: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime] = mapped_column(DateTime)


class TrustedPair(Base):
    """An (account, address) pair that logged in: exempt from locks others caused."""

    __tablename__ = "trusted_pairs"

    account_key: Mapped[str] = mapped_column(String(ACCOUNT_KEY_LENGTH), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    trusted_until: Mapped[datetime] = mapped_column(DateTime, index=True)


class SendingLimitRow(Base):
    """A customer's sending credits (docs/api.md, sending credits); no row: unlimited, the
    default."""

    __tablename__ = "sending_limits"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("logins.id", ondelete="CASCADE"), primary_key=True
    )
    credit: Mapped[int] = mapped_column(BigInteger)
    credit_remain: Mapped[int] = mapped_column(BigInteger)
    last_reset: Mapped[date] = mapped_column(Date)
    # daily, weekly, monthly; None for a total that never resets.
    period: Mapped[str | None] = mapped_column(String(8))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Changes at every set (total, recurring, none, each reset): credits given back
    # go only to the generation they were taken from.
    generation: Mapped[int] = mapped_column(BigInteger, server_default="1")
    # False: the limit was removed (`none`); the row stays so that its generation
    # goes on counting.
    limited: Mapped[bool] = mapped_column(Boolean, server_default=true())


class DashboardSession(Base):
    """A dashboard login (docs/dashboard.md): the cookie's token is kept only as its SHA-256."""

    __tablename__ = "dashboard_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    login_id: Mapped[int] = mapped_column(ForeignKey("logins.id", ondelete="CASCADE"), index=True)
    # The login's fingerprint when it was admitted: a rename or a new password ends it.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The synchronizer token of this session's forms.
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Written at most about once a minute, not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    client: Mapped[str] = mapped_column(String(64))


class DashboardKey(Base):
    """A key every process shares, made once: the dashboard login form's token key and
    the API keys' HMAC key (identity/api_keys.py)."""

    __tablename__ = "dashboard_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ApiKey(Base):
    """An API key of a primary account (a distributor's or a customer's login). Only
    the secret's HMAC-SHA256 under the server's key is kept (docs/security.md); a
    deleted key's row is deleted: nothing refers to it and its id is never reused."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("logins.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Space-separated, in the order of domain/api_keys.py's SCOPES.
    scopes: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class SendingActivity(Base):
    """One account's sending on one day (UTC) through one surface, counted as it
    happens (docs/dashboard.md, "Activity"): never rebuilt from the audit trail."""

    __tablename__ = "sending_activity"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("logins.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    surface: Mapped[str] = mapped_column(String(16), primary_key=True)
    # The account's distributor (itself for a distributor): its totals in one range read.
    distributor_id: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(BigInteger, default=0)
    recipients: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_used: Mapped[int] = mapped_column(BigInteger, default=0)
    # Messages the upstream refused or could not be reached for.
    messages_refused: Mapped[int] = mapped_column(BigInteger, default=0)
    # Recipients refused because the credits did not cover them.
    recipients_refused: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_sending_activity_distributor_day", "distributor_id", "day"),)
