"""The API's words for the access core's denials (403 bodies)."""

from __future__ import annotations

from collections.abc import Mapping

from gridreseller.domain.access import Denial

DENIAL_MESSAGES: Mapping[Denial, str] = {
    Denial.DISTRIBUTOR_DISABLED: "api_user's distributor account is disabled",
    Denial.CUSTOMER_NOT_DISTRIBUTOR: (
        "api_user is a customer account and may only call credentials/*"
    ),
    Denial.CREDENTIAL_NOT_PRIMARY: (
        "api_user is a credential; only the primary account manages credentials"
    ),
    Denial.CUSTOMER_CREDENTIAL_NO_API: (
        "api_user is a customer's credential and may not call the API"
    ),
    Denial.NO_API_BIT: "api_user lacks the api permission",
    # mail.send (docs/api.md): an inactive customer, or a credential without `email`.
    Denial.SENDING_DISABLED: "api_user may not send mail",
    Denial.NO_EMAIL_BIT: "api_user lacks the email permission",
    # The rest answer other purposes than the API's; worded for completeness.
    Denial.NO_WEBSITE_ACCESS: "api_user has no website access",
    Denial.NO_WEB_BIT: "api_user lacks the web permission",
}
