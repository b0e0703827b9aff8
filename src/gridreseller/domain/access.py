"""Who may do what, on every surface: docs/security.md; docs/smtp.md; docs/dashboard.md;
docs/deployment.md tables as data.

A login that presented the right password is described by a `LoginState`; what it
wants to do is a `Purpose`. `decide` walks the requirements of that (role, purpose)
cell and answers with the first one it misses, or None. Deleted logins never get
here: they fail like an unknown username, before any rule is asked.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from gridreseller.domain.models import Actor, LoginKind, Permissions, Surface


class Purpose(enum.Enum):
    """What the caller wants to do once it is known who it is."""

    # Members are singletons compared by identity; Enum's own __hash__ is Python code,
    # and every authenticated call looks a (role, purpose) pair up.
    __hash__ = object.__hash__

    API_DISTRIBUTOR = "the distributor.* calls"
    API_CREDENTIALS = "the credentials/* calls"
    SEND_MAIL = "sending mail"
    # Sending with the legacy `mail.send` call (docs/api.md): a credential needs both its
    # `api` and its `email` bit, as on the legacy platform.
    SEND_MAIL_HTTP = "sending mail over HTTP"
    DASHBOARD = "the dashboard"

    @property
    def surface(self) -> Surface:
        return PURPOSE_SURFACES[self]


PURPOSE_SURFACES: Mapping[Purpose, Surface] = {
    Purpose.API_DISTRIBUTOR: Surface.API,
    Purpose.API_CREDENTIALS: Surface.API,
    Purpose.SEND_MAIL: Surface.SMTP,
    Purpose.SEND_MAIL_HTTP: Surface.API,
    Purpose.DASHBOARD: Surface.DASHBOARD,
}


class Role(enum.StrEnum):
    __hash__ = str.__hash__  # as fast as a string's, and equal for equal values

    DISTRIBUTOR = "distributor"
    CUSTOMER = "customer"
    DISTRIBUTOR_CREDENTIAL = "distributor credential"
    CUSTOMER_CREDENTIAL = "customer credential"


class Denial(enum.StrEnum):
    """Why a login with the right password may still not do what it asked.

    Each surface words these in its own protocol (api/refusals.py, mail/replies.py,
    web/messages.py); the core only names them.
    """

    DISTRIBUTOR_DISABLED = "distributor_disabled"
    CUSTOMER_NOT_DISTRIBUTOR = "customer_not_distributor"
    CREDENTIAL_NOT_PRIMARY = "credential_not_primary"
    CUSTOMER_CREDENTIAL_NO_API = "customer_credential_no_api"
    NO_API_BIT = "no_api_bit"
    SENDING_DISABLED = "sending_disabled"
    NO_EMAIL_BIT = "no_email_bit"
    NO_WEBSITE_ACCESS = "no_website_access"
    NO_WEB_BIT = "no_web_bit"


class LoginState(NamedTuple):
    """What the rules need to know about a live login and the account above it.

    (Named tuples here and below: one is built on every authenticated call.)
    """

    role: Role
    permissions: Permissions = Permissions()
    # The distributor this login is (or belongs to) has been disabled by the operator.
    distributor_disabled: bool = False
    # For a customer or a customer's credential: the customer's flags.
    customer_active: bool = True
    customer_website_access: bool = True


class StoredLogin(NamedTuple):
    """A login as the database has it: what authentication and the rules need."""

    login_id: int
    username: str
    username_key: str
    password_hash: str
    # Neither it nor the customer it belongs to is deleted.
    live: bool
    state: LoginState
    account_id: int
    tenant_id: int


@dataclass(frozen=True)
class Requirement:
    """One condition of a table cell, and the denial when it is not met."""

    met: Callable[[LoginState], bool]
    denial: Denial


def never(denial: Denial) -> Requirement:
    return Requirement(lambda _state: False, denial)


DISTRIBUTOR_ENABLED = Requirement(lambda s: not s.distributor_disabled, Denial.DISTRIBUTOR_DISABLED)
CUSTOMER_ACTIVE = Requirement(lambda s: s.customer_active, Denial.SENDING_DISABLED)
CUSTOMER_WEBSITE = Requirement(lambda s: s.customer_website_access, Denial.NO_WEBSITE_ACCESS)
API_BIT = Requirement(lambda s: s.permissions.api == 1, Denial.NO_API_BIT)
EMAIL_BIT = Requirement(lambda s: s.permissions.email == 1, Denial.NO_EMAIL_BIT)
WEB_BIT = Requirement(lambda s: s.permissions.web == 1, Denial.NO_WEB_BIT)

_D, _C = Role.DISTRIBUTOR, Role.CUSTOMER
_DC, _CC = Role.DISTRIBUTOR_CREDENTIAL, Role.CUSTOMER_CREDENTIAL
_API, _CREDS = Purpose.API_DISTRIBUTOR, Purpose.API_CREDENTIALS
_SMTP, _WEB = Purpose.SEND_MAIL, Purpose.DASHBOARD
_HTTP = Purpose.SEND_MAIL_HTTP

# docs/security.md, One access core (API, mail over HTTP, dashboard, SMTP), docs/smtp.md
# (may send), docs/dashboard.md (may log in),
# docs/deployment.md (disabled distributor).
# Requirements are checked in order; the first one missed is the answer.
ACCESS: Mapping[tuple[Role, Purpose], tuple[Requirement, ...]] = {
    (_D, _API): (DISTRIBUTOR_ENABLED,),
    (_D, _CREDS): (DISTRIBUTOR_ENABLED,),
    (_D, _SMTP): (DISTRIBUTOR_ENABLED,),
    (_D, _WEB): (DISTRIBUTOR_ENABLED,),
    (_D, _HTTP): (DISTRIBUTOR_ENABLED,),
    (_C, _API): (never(Denial.CUSTOMER_NOT_DISTRIBUTOR),),
    (_C, _CREDS): (),
    (_C, _SMTP): (CUSTOMER_ACTIVE,),
    (_C, _WEB): (CUSTOMER_WEBSITE,),
    (_C, _HTTP): (CUSTOMER_ACTIVE,),
    (_DC, _API): (DISTRIBUTOR_ENABLED, API_BIT),
    (_DC, _CREDS): (never(Denial.CREDENTIAL_NOT_PRIMARY),),
    (_DC, _SMTP): (DISTRIBUTOR_ENABLED, EMAIL_BIT),
    (_DC, _WEB): (DISTRIBUTOR_ENABLED, WEB_BIT),
    (_DC, _HTTP): (DISTRIBUTOR_ENABLED, API_BIT, EMAIL_BIT),
    (_CC, _API): (never(Denial.CUSTOMER_CREDENTIAL_NO_API),),
    (_CC, _CREDS): (never(Denial.CREDENTIAL_NOT_PRIMARY),),
    (_CC, _SMTP): (EMAIL_BIT, CUSTOMER_ACTIVE),
    (_CC, _WEB): (WEB_BIT, CUSTOMER_WEBSITE),
    (_CC, _HTTP): (API_BIT, EMAIL_BIT, CUSTOMER_ACTIVE),
}


class Principal(NamedTuple):
    """A login the access core let in, for one purpose (a named tuple: one is made on
    every authenticated call)."""

    login_id: int
    username: str  # as stored
    role: Role
    # Whose data it acts on: the login itself, or the account a credential belongs to.
    account_id: int
    tenant_id: int  # the distributor it belongs to
    permissions: Permissions
    client: str
    purpose: Purpose
    # Changes when the login is renamed or its password changes (see identity); empty
    # for an API call's principal, which no session compares later.
    fingerprint: str

    @property
    def account_kind(self) -> LoginKind:
        on_customer = self.role in (Role.CUSTOMER, Role.CUSTOMER_CREDENTIAL)
        return LoginKind.CUSTOMER if on_customer else LoginKind.DISTRIBUTOR

    @property
    def customer_id(self) -> int | None:
        """The customer whose sending credits this login spends, if any."""
        return self.account_id if self.account_kind is LoginKind.CUSTOMER else None

    @property
    def actor(self) -> Actor:
        return Actor(
            self.account_id,
            self.account_kind,
            self.username,
            self.client,
            self.tenant_id,
            self.purpose.surface,
        )


def decide(state: LoginState, purpose: Purpose) -> Denial | None:
    """None when the login may; otherwise why not."""
    for requirement in ACCESS[(state.role, purpose)]:
        if not requirement.met(state):
            return requirement.denial
    return None


class Capability(enum.StrEnum):
    """What a dashboard page lets its user do (docs/dashboard.md's "may do" column)."""

    MANAGE_CUSTOMERS = "manage customers"
    VIEW_PACKAGES = "view packages"  # and IP groups
    MANAGE_CATALOG = "manage packages and IP groups"
    MANAGE_CREDENTIALS = "manage credentials"
    CHANGE_OWN_PASSWORD = "change own password"  # noqa: S105 - a capability's name
    VIEW_ACCOUNT = "view account"
    MANAGE_API_KEYS = "manage API keys"  # a primary account's own (docs/api.md, v3)
    VIEW_ACTIVITY = "view activity"  # its sending figures and audit trail


DASHBOARD_CAPABILITIES: Mapping[Role, frozenset[Capability]] = {
    _D: frozenset(
        {
            Capability.MANAGE_CUSTOMERS,
            Capability.VIEW_PACKAGES,
            Capability.MANAGE_CATALOG,
            Capability.MANAGE_CREDENTIALS,
            Capability.MANAGE_API_KEYS,
            # Under the rules and audit of `gridreseller distributor set-password`.
            Capability.CHANGE_OWN_PASSWORD,
            Capability.VIEW_ACTIVITY,
        }
    ),
    # A credential never reaches credential management or account settings (its
    # distributor's packages and IP groups are account settings: it views them only).
    _DC: frozenset(
        {Capability.MANAGE_CUSTOMERS, Capability.VIEW_PACKAGES, Capability.VIEW_ACTIVITY}
    ),
    _C: frozenset(
        {
            Capability.MANAGE_CREDENTIALS,
            Capability.CHANGE_OWN_PASSWORD,
            Capability.VIEW_ACCOUNT,
            Capability.VIEW_ACTIVITY,
            Capability.MANAGE_API_KEYS,
        }
    ),
    _CC: frozenset({Capability.VIEW_ACCOUNT, Capability.VIEW_ACTIVITY}),
}


def may(role: Role, capability: Capability) -> bool:
    return capability in DASHBOARD_CAPABILITIES[role]
