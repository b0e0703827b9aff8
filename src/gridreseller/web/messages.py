"""The dashboard's words: for refused logins, denials, refused forms and done actions.

Validation errors are the services' own messages (the API's), shown beside their
fields, with the parameter names they mention put in the words of the form's labels
(`in_words`); only what the services leave to each surface is worded here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from gridreseller.domain.access import Denial

# One message for unknown usernames, wrong passwords and deleted logins alike (docs/dashboard.md).
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
# the API's words (docs/api.md, Response formats), for another tenant's customer too
USER_NOT_FOUND = "User not found"
PAGE_NOT_FOUND = "There is no such page."
PACKAGE_NOT_FOUND = "You have no package of that name."
IP_NOT_FOUND = "You have no IP group or address of that name."
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
    "sender_domains_saved": "The sender domains were saved.",
    "package_changed": "The package was changed.",
    "whitelabel_changed": "The whitelabel domain was changed.",
    "ip_groups_changed": "The IP groups and addresses were saved.",
    "billing_date_changed": "The billing date was saved.",
    "package_created": "The package was created.",
    "package_deleted": "The package was deleted.",
    "ips_added": "The addresses were added.",
    "ip_removed": "The address was removed.",
    "group_removed": "The IP group was removed.",
    "credential_added": "The credential was added.",
    "credential_saved": "The credential was saved.",
    "credential_removed": "The credential was removed.",
    "api_key_saved": "The API key was saved.",
    "api_key_deleted": "The API key was deleted; it no longer works.",
    "logged_out": "You are logged out.",
    "password_changed": "Your password was changed. Your other sessions have been logged out.",
}


# The fields of each form (by its name in web/render.FormState) as their labels read.
_PROFILE_WORDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "company": "Company",
    "website": "Website",
    "address": "Address",
    "city": "City",
    "state": "State or region",
    "zip": "Postal code",
    "country": "Country",
    "phone": "Phone",
}
_CREDENTIAL_WORDS = {
    "username": "Name",
    "password": "Password",
    "permissions": "Permissions",
    "email": "email",
    "web": "web",
    "api": "api",
}
_LIMIT_WORDS = {
    "task": "Change",
    "credits": "Credits",
    "period": "Period",
    "startdate": "First day",
    "enddate": "Last day",
    "initial_credits": "Credits until the first reset",
}
FIELD_WORDS: Mapping[str, Mapping[str, str]] = {
    "password": {
        "current_password": "Current password",
        "password": "New password",
        "confirm_password": "Repeat the new password",
    },
    "customer": {
        "username": "Username",
        "password": "Password",
        "confirm_password": "Repeat the password",
        "email": "Contact email",
        **_PROFILE_WORDS,
        "package": "Package",
        "whitelabel": "Whitelabel domain",
        "ip_group": "IP groups",
        "ip": "IP addresses",
        "free_user": "Free user",
        "billing_date": "Billing date",
    },
    "profile": _PROFILE_WORDS,
    "username": {"username": "New username"},
    "email": {"email": "Contact email"},
    "limit_total": _LIMIT_WORDS,
    "limit_change": _LIMIT_WORDS,
    "limit_recurring": {**_LIMIT_WORDS, "credits": "Credits each period"},
    "limit_none": _LIMIT_WORDS,
    "add": _CREDENTIAL_WORDS,
    "edit": _CREDENTIAL_WORDS,
    "package": {"package": "Package"},
    "whitelabel": {"whitelabel": "Whitelabel domain"},
    "ip_groups": {"ip_group": "IP groups", "ip": "IP addresses"},
    "billing_date": {"billing_date": "Billing date"},
    "new_package": {
        "name": "Name",
        "description": "Description",
        "price": "Price",
        "distributor_price": "Your price",
        "credits": "Credits",
        "overage": "Overage",
        "has_ip": "Includes IP addresses",
        "has_reseller": "Reseller",
    },
    "delete_package": {"name": "Package"},
    "add_ips": {"group": "Group", "address": "Addresses"},
    "remove_ip": {"address": "Address"},
    "remove_group": {"group": "Group"},
    "list": {"search": "Search", "active": "Sending", "sort": "Sort by", "dir": "Order"},
}
# Another field named after these words ("must match password", "must not be before
# startdate"); other words that happen to be field names ("a valid email address") stay.
_REFERENCE = re.compile(r"\b(match|from|before|after) ([a-z_]+)\b")


def in_words(message: str, form: str) -> str:
    """A service's message with the field it is about, and any field it refers to, in
    the words of that form's labels: `confirm_password must match password` becomes
    `"Repeat the new password" must match "New password"`."""
    words = FIELD_WORDS.get(form, {})
    subject, space, rest = message.partition(" ")
    label = words.get(subject.removesuffix("[]"))
    if label is not None and space:
        message = f"\N{LEFT DOUBLE QUOTATION MARK}{label}\N{RIGHT DOUBLE QUOTATION MARK} {rest}"

    def refer(found: re.Match[str]) -> str:
        named = words.get(found[2])
        if named is None:
            return found[0]
        return f"{found[1]} \N{LEFT DOUBLE QUOTATION MARK}{named}\N{RIGHT DOUBLE QUOTATION MARK}"

    return _REFERENCE.sub(refer, message)
