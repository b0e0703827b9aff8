"""The access table of domain/access.py, walked cell by cell against the contract's
docs/security.md, One access core (API, mail over HTTP, dashboard, SMTP), docs/smtp.md (may
send), docs/dashboard.md (may log in, may do) and
docs/deployment.md (a disabled distributor), written out below as literal tables: a change to
any cell fails here.

Every role is tried with every combination of every field of its state (bits and
flags), including the ones its rule must ignore (a disabled distributor's customers
keep working, a distributor's bits mean nothing). Where two requirements fail at once
the contract does not say which reason is given; the tables hold the order the code
chose (the distributor's state first, then a bit, then the customer's flag), so that
a change of it is a decision, not an accident.
"""

from __future__ import annotations

import itertools

import pytest

from gridreseller.domain.access import (
    ACCESS,
    DASHBOARD_CAPABILITIES,
    PURPOSE_SURFACES,
    Capability,
    Denial,
    LoginState,
    Principal,
    Purpose,
    Role,
    decide,
    may,
)
from gridreseller.domain.models import LoginKind, Permissions, Surface

API, CREDS, SMTP, WEB, HTTP = (
    Purpose.API_DISTRIBUTOR,
    Purpose.API_CREDENTIALS,
    Purpose.SEND_MAIL,
    Purpose.DASHBOARD,
    Purpose.SEND_MAIL_HTTP,
)
OK = None
D_OFF = Denial.DISTRIBUTOR_DISABLED
NOT_DIST = Denial.CUSTOMER_NOT_DISTRIBUTOR
NOT_PRIMARY = Denial.CREDENTIAL_NOT_PRIMARY
CC_NO_API = Denial.CUSTOMER_CREDENTIAL_NO_API
NO_API = Denial.NO_API_BIT
NO_EMAIL = Denial.NO_EMAIL_BIT
NO_WEB = Denial.NO_WEB_BIT
SENDING_OFF = Denial.SENDING_DISABLED
NO_SITE = Denial.NO_WEBSITE_ACCESS
ALL_BITS = ("000", "001", "010", "011", "100", "101", "110", "111")

# distributor: yes everywhere (docs/security.md, One access core), unless disabled
# (docs/deployment.md).
#               enabled  disabled
Answers = tuple[Denial | None, ...]
DISTRIBUTOR: dict[Purpose, Answers] = {
    API: (OK, D_OFF),
    CREDS: (OK, D_OFF),
    SMTP: (OK, D_OFF),
    WEB: (OK, D_OFF),
    HTTP: (OK, D_OFF),
}

# live customer: credentials/* only; dashboard if website_access; SMTP if active
# (docs/security.md, One access core,
# docs/smtp.md, docs/dashboard.md). Columns: (active, website_access) = (1,1) (0,1) (1,0) (0,0).
CUSTOMER: dict[Purpose, Answers] = {
    API: (NOT_DIST, NOT_DIST, NOT_DIST, NOT_DIST),
    CREDS: (OK, OK, OK, OK),
    SMTP: (OK, SENDING_OFF, OK, SENDING_OFF),
    WEB: (OK, OK, NO_SITE, NO_SITE),
    HTTP: (OK, SENDING_OFF, OK, SENDING_OFF),
}

# a distributor's credential: distributor.* if api=1, dashboard if web=1, SMTP if
# email=1, never credentials/*, nothing while its distributor is disabled (docs/security.md,
# One access core, docs/smtp.md,
# docs/dashboard.md, docs/deployment.md). Rows: the bits (email, web, api); columns:
# distributor enabled, disabled.
DISTRIBUTOR_CREDENTIAL: dict[Purpose, dict[str, Answers]] = {
    API: {
        "000": (NO_API, D_OFF),
        "001": (OK, D_OFF),
        "010": (NO_API, D_OFF),
        "011": (OK, D_OFF),
        "100": (NO_API, D_OFF),
        "101": (OK, D_OFF),
        "110": (NO_API, D_OFF),
        "111": (OK, D_OFF),
    },
    CREDS: dict.fromkeys(ALL_BITS, (NOT_PRIMARY, NOT_PRIMARY)),
    SMTP: {
        "000": (NO_EMAIL, D_OFF),
        "001": (NO_EMAIL, D_OFF),
        "010": (NO_EMAIL, D_OFF),
        "011": (NO_EMAIL, D_OFF),
        "100": (OK, D_OFF),
        "101": (OK, D_OFF),
        "110": (OK, D_OFF),
        "111": (OK, D_OFF),
    },
    WEB: {
        "000": (NO_WEB, D_OFF),
        "001": (NO_WEB, D_OFF),
        "010": (OK, D_OFF),
        "011": (OK, D_OFF),
        "100": (NO_WEB, D_OFF),
        "101": (NO_WEB, D_OFF),
        "110": (OK, D_OFF),
        "111": (OK, D_OFF),
    },
    # Mail over HTTP: both bits, api and email (the legacy rule).
    HTTP: {
        "000": (NO_API, D_OFF),
        "001": (NO_EMAIL, D_OFF),
        "010": (NO_API, D_OFF),
        "011": (NO_EMAIL, D_OFF),
        "100": (NO_API, D_OFF),
        "101": (OK, D_OFF),
        "110": (NO_API, D_OFF),
        "111": (OK, D_OFF),
    },
}

# a customer's credential: no API at all; dashboard if web=1 and its customer has
# website_access; SMTP if email=1 and its customer is active (docs/security.md;
# docs/smtp.md; docs/dashboard.md). Rows: the
# bits (email, web, api); columns: its customer's (active, website_access) =
# (1,1) (0,1) (1,0) (0,0).
CUSTOMER_CREDENTIAL: dict[Purpose, dict[str, Answers]] = {
    API: dict.fromkeys(ALL_BITS, (CC_NO_API, CC_NO_API, CC_NO_API, CC_NO_API)),
    CREDS: dict.fromkeys(ALL_BITS, (NOT_PRIMARY, NOT_PRIMARY, NOT_PRIMARY, NOT_PRIMARY)),
    SMTP: {
        "000": (NO_EMAIL, NO_EMAIL, NO_EMAIL, NO_EMAIL),
        "001": (NO_EMAIL, NO_EMAIL, NO_EMAIL, NO_EMAIL),
        "010": (NO_EMAIL, NO_EMAIL, NO_EMAIL, NO_EMAIL),
        "011": (NO_EMAIL, NO_EMAIL, NO_EMAIL, NO_EMAIL),
        "100": (OK, SENDING_OFF, OK, SENDING_OFF),
        "101": (OK, SENDING_OFF, OK, SENDING_OFF),
        "110": (OK, SENDING_OFF, OK, SENDING_OFF),
        "111": (OK, SENDING_OFF, OK, SENDING_OFF),
    },
    WEB: {
        "000": (NO_WEB, NO_WEB, NO_WEB, NO_WEB),
        "001": (NO_WEB, NO_WEB, NO_WEB, NO_WEB),
        "010": (OK, OK, NO_SITE, NO_SITE),
        "011": (OK, OK, NO_SITE, NO_SITE),
        "100": (NO_WEB, NO_WEB, NO_WEB, NO_WEB),
        "101": (NO_WEB, NO_WEB, NO_WEB, NO_WEB),
        "110": (OK, OK, NO_SITE, NO_SITE),
        "111": (OK, OK, NO_SITE, NO_SITE),
    },
    # Mail over HTTP: api and email, and its customer active.
    HTTP: {
        "000": (NO_API, NO_API, NO_API, NO_API),
        "001": (NO_EMAIL, NO_EMAIL, NO_EMAIL, NO_EMAIL),
        "010": (NO_API, NO_API, NO_API, NO_API),
        "011": (NO_EMAIL, NO_EMAIL, NO_EMAIL, NO_EMAIL),
        "100": (NO_API, NO_API, NO_API, NO_API),
        "101": (OK, SENDING_OFF, OK, SENDING_OFF),
        "110": (NO_API, NO_API, NO_API, NO_API),
        "111": (OK, SENDING_OFF, OK, SENDING_OFF),
    },
}

CUSTOMER_FLAGS = [(True, True), (False, True), (True, False), (False, False)]


def expected(state: LoginState, purpose: Purpose) -> Denial | None:
    """The literal tables above, looked up by the fields that role's rule reads."""
    bits = f"{state.permissions.email}{state.permissions.web}{state.permissions.api}"
    flags = CUSTOMER_FLAGS.index((state.customer_active, state.customer_website_access))
    disabled = int(state.distributor_disabled)
    if state.role is Role.DISTRIBUTOR:
        return DISTRIBUTOR[purpose][disabled]
    if state.role is Role.CUSTOMER:
        return CUSTOMER[purpose][flags]
    if state.role is Role.DISTRIBUTOR_CREDENTIAL:
        return DISTRIBUTOR_CREDENTIAL[purpose][bits][disabled]
    return CUSTOMER_CREDENTIAL[purpose][bits][flags]


def every_state(role: Role) -> list[LoginState]:
    """Every combination of the three bits and the three flags, for one role."""
    states = []
    for email, web, api, disabled, active, website in itertools.product((0, 1), repeat=6):
        permissions = Permissions(email=email, web=web, api=api)
        states.append(LoginState(role, permissions, bool(disabled), bool(active), bool(website)))
    return states


def test_the_table_has_one_cell_per_role_and_purpose() -> None:
    assert set(ACCESS) == set(itertools.product(Role, Purpose))
    assert len(ACCESS) == 20


@pytest.mark.parametrize("purpose", list(Purpose), ids=lambda p: p.name)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name)
def test_every_state_gets_the_contracts_answer(role: Role, purpose: Purpose) -> None:
    wrong = [
        (state, decided, wanted)
        for state in every_state(role)
        if (decided := decide(state, purpose)) != (wanted := expected(state, purpose))
    ]
    assert not wrong, wrong


def test_a_new_login_state_defaults_to_a_live_account_without_bits() -> None:
    """The defaults a surface relies on: no bits, enabled, active, with website access."""
    state = LoginState(Role.DISTRIBUTOR_CREDENTIAL)
    assert state == LoginState(Role.DISTRIBUTOR_CREDENTIAL, Permissions(0, 0, 0), False, True, True)
    assert decide(state, API) is NO_API


def test_each_purpose_belongs_to_one_surface() -> None:
    assert dict(PURPOSE_SURFACES) == {
        API: Surface.API,
        CREDS: Surface.API,
        SMTP: Surface.SMTP,
        WEB: Surface.DASHBOARD,
        HTTP: Surface.API,
    }
    assert all(purpose.surface is PURPOSE_SURFACES[purpose] for purpose in Purpose)


# docs/dashboard.md's "may do" column. A distributor's credential manages the distributor's
# customers
# (which includes picking one of its packages; it views the packages and IP groups, only
# the distributor changes them), never credentials or account settings;
# a customer manages its credentials and its own password; a customer's credential
# only sees its account. Only primary accounts hold API keys. Every role sees its
# account's sending activity and audit trail.
CAPABILITIES = {
    Role.DISTRIBUTOR: {
        Capability.MANAGE_CUSTOMERS,
        Capability.VIEW_PACKAGES,
        Capability.MANAGE_CATALOG,
        Capability.MANAGE_CREDENTIALS,
        Capability.MANAGE_API_KEYS,
        Capability.CHANGE_OWN_PASSWORD,
        Capability.VIEW_ACTIVITY,
    },
    Role.DISTRIBUTOR_CREDENTIAL: {
        Capability.MANAGE_CUSTOMERS,
        Capability.VIEW_PACKAGES,
        Capability.VIEW_ACTIVITY,
    },
    Role.CUSTOMER: {
        Capability.MANAGE_CREDENTIALS,
        Capability.CHANGE_OWN_PASSWORD,
        Capability.VIEW_ACCOUNT,
        Capability.MANAGE_API_KEYS,
        Capability.VIEW_ACTIVITY,
    },
    Role.CUSTOMER_CREDENTIAL: {Capability.VIEW_ACCOUNT, Capability.VIEW_ACTIVITY},
}


@pytest.mark.parametrize("capability", list(Capability), ids=lambda c: c.name)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name)
def test_dashboard_capabilities(role: Role, capability: Capability) -> None:
    assert may(role, capability) is (capability in CAPABILITIES[role])
    assert set(DASHBOARD_CAPABILITIES[role]) == CAPABILITIES[role]


@pytest.mark.parametrize(
    ("role", "account_kind", "spends_customer_credits"),
    [
        (Role.DISTRIBUTOR, LoginKind.DISTRIBUTOR, False),
        (Role.DISTRIBUTOR_CREDENTIAL, LoginKind.DISTRIBUTOR, False),
        (Role.CUSTOMER, LoginKind.CUSTOMER, True),
        (Role.CUSTOMER_CREDENTIAL, LoginKind.CUSTOMER, True),
    ],
)
def test_a_principal_acts_for_its_account(
    role: Role, account_kind: LoginKind, spends_customer_credits: bool
) -> None:
    """A credential acts on its account's data, through the surface of its purpose."""
    principal = Principal(7, "Login", role, 3, 1, Permissions(), "192.0.2.1", SMTP, "f")
    assert principal.account_kind is account_kind
    assert principal.customer_id == (3 if spends_customer_credits else None)
    actor = principal.actor
    assert (actor.account_id, actor.account_kind, actor.login_username) == (
        3,
        account_kind,
        "Login",
    )
    assert (actor.client, actor.tenant_id, actor.surface) == ("192.0.2.1", 1, Surface.SMTP)
