"""The dashboard's words: for refused logins, denials, refused forms and done actions.

Validation errors are the services' own messages (the API's), shown beside their
fields; only what the services leave to each surface is worded here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from gridreseller.domain.access import Denial

# One message for unknown usernames, wrong passwords and deleted logins alike (§12).
LOGIN_FAILED = "The username or password is not correct."

# A right password for a login that may not use the dashboard: each its own reason (403).
DENIALS: Mapping[Denial, str] = {
    Denial.DISTRIBUTOR_DISABLED: "This account has been disabled by the operator.",
    Denial.NO_WEBSITE_ACCESS: (
        "This account may not use the dashboard: its website access is turned off."
    ),
    Denial.NO_WEB_BIT: "This credential may not use the dashboard: it lacks the web permission.",
    # The others answer other purposes than the dashboard's; worded for completeness.
    Denial.CUSTOMER_NOT_DISTRIBUTOR: "A customer account may not do this.",
    Denial.CREDENTIAL_NOT_PRIMARY: "A credential may not do this.",
    Denial.CUSTOMER_CREDENTIAL_NO_API: "A customer's credential may not do this.",
    Denial.NO_API_BIT: "This credential lacks the api permission.",
    Denial.SENDING_DISABLED: "This account may not send mail.",
    Denial.NO_EMAIL_BIT: "This credential lacks the email permission.",
}

FORM_REFUSED = (
    "This form could not be accepted: it has expired, or it was not sent from this "
    "dashboard. Nothing was changed. Please go back, reload the page and try again."
)
LOGIN_FORM_REFUSED = "The login form had expired or was not sent from this page. Please try again."
PAGE_FORBIDDEN = "Your login may not use this page."
USER_NOT_FOUND = "User not found"  # the API's words (§3), for another tenant's customer too
PAGE_NOT_FOUND = "There is no such page."
UNAVAILABLE = "The service is unavailable for a moment. Please try again shortly."
UNEXPECTED = "Something went wrong on our side; nothing more is shown here."


def throttled(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed logins. Please wait {minutes} {unit} before trying again."


# Shown after an action succeeded (the page is reached by a redirect, `?notice=key`).
NOTICES: Mapping[str, str] = {
    "customer_added": "The customer was created.",
    "customer_deleted": "The customer was deleted.",
    "profile_saved": "The profile was saved.",
    "nothing_changed": "Nothing was changed.",
    "username_changed": "The username was changed; the old one no longer works.",
    "email_changed": "The contact email was changed.",
    "password_reset": "The password was reset; the old one no longer works.",
    "enable": "Sending is on.",
    "disable": "Sending is off.",
    "website_enable": "Dashboard access is on.",
    "website_disable": "Dashboard access is off.",
    "limit_saved": "The sending limit was saved.",
    "credential_added": "The credential was added.",
    "credential_saved": "The credential was saved.",
    "credential_removed": "The credential was removed.",
    "api_key_saved": "The API key was saved.",
    "api_key_deleted": "The API key was deleted; it no longer works.",
    "logged_out": "You are logged out.",
    "password_changed": "Your password was changed. Your other sessions have been logged out.",
}
