"""The Core tables the record modules query (the ORM classes' tables)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from gridreseller.db.tables import (
    ApiKey,
    AuditEvent,
    CustomerIp,
    CustomerIpGroup,
    CustomerProfile,
    IpAddress,
    IpGroup,
    Login,
    Package,
)

logins = cast(Table, Login.__table__)
owners = logins.alias("owners")
profiles = cast(Table, CustomerProfile.__table__)
packages = cast(Table, Package.__table__)
ip_groups = cast(Table, IpGroup.__table__)
ip_addresses = cast(Table, IpAddress.__table__)
customer_ip_groups = cast(Table, CustomerIpGroup.__table__)
customer_ips = cast(Table, CustomerIp.__table__)
audit_events = cast(Table, AuditEvent.__table__)
api_keys = cast(Table, ApiKey.__table__)

# The one unique constraint that means "this username is taken" (docs/api.md, Usernames).
USERNAME_CONSTRAINT = "uq_logins_username_key"
