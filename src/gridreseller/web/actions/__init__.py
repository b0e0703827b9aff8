"""Every call from the dashboard into the services (docs/dashboard.md: each action runs
the same service as the API call that does the same thing).

A submitted form is read here into the service's typed command (web/form_fields.py:
the shared field rules, under the form's own field names), and the principal's actor
is put on the dashboard surface, so the rules and the audit entries are the API's
own. These modules are the only part of web/ that calls the services:
customers.py (a distributor's customers, their limits and sender domains), plan.py
(a customer's package, whitelabel, IP groups, billing date; the distributor's
packages and IP groups), credentials.py, account.py (logging in, sessions, the own
account and password, activity and audit) and api_keys.py (the `/v3/api_keys`
commands).
"""

from __future__ import annotations

from gridreseller.domain.access import Principal
from gridreseller.domain.models import Actor, Surface


def dashboard_actor(principal: Principal) -> Actor:
    """The principal's actor, on the dashboard surface (for the audit trail)."""
    return principal.actor._replace(surface=Surface.DASHBOARD)
