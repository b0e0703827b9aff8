"""credentials/get|add|edit|remove's parameters (services/credentials.py)."""

from __future__ import annotations

from gridreseller.api.legacy.fields import Declaration, Field
from gridreseller.api.legacy.kinds import Bit, CredentialName, Password, PermissionsJson, Text
from gridreseller.api.legacy.operations import Operation
from gridreseller.domain import rules
from gridreseller.services.credentials import (
    AddCredential,
    EditCredential,
    GetCredentials,
    RemoveCredential,
    add_credential,
    edit_credential,
    get_credentials,
    remove_credential,
)

PERMISSIONS_DESCRIPTION = "JSON object with keys among email, web, api and values 0 or 1."


def _name(description: str) -> Field:
    return Field(
        "username",
        CredentialName(),
        True,
        description=f"{description} 1 to 64 letters, digits or `_ . - @ +`.",
        example="smtp_sender",
    )


GET_CREDENTIALS = Declaration(
    GetCredentials,
    (
        Field(
            "username",
            Text(empty_is_absent=True),
            description="Name of one credential; without it, every credential is listed.",
            example="smtp_sender",
        ),
    ),
)
ADD_CREDENTIAL = Declaration(
    AddCredential,
    (
        _name("Name of the new credential; unique across every account."),
        Field("password", Password(), True, description="Password of the credential."),
        Field(
            "permissions",
            PermissionsJson(),
            default={},
            description=PERMISSIONS_DESCRIPTION + " Missing keys: 0.",
            example='{"email":1,"web":0,"api":0}',
        ),
    ),
)
EDIT_CREDENTIAL = Declaration(
    EditCredential,
    (
        _name("The credential to change."),
        Field("password", Password(), description="New password; leave out to keep it."),
        Field(
            "permissions",
            PermissionsJson(),
            default={},
            description=PERMISSIONS_DESCRIPTION + " Only the keys given change.",
            example='{"email":1,"web":0,"api":0}',
        ),
        *(
            Field(
                bit, Bit(), description=f"The `{bit}` bit; wins over the same key in `permissions`."
            )
            for bit in rules.PERMISSION_KEYS
        ),
    ),
)
REMOVE_CREDENTIAL = Declaration(RemoveCredential, (_name("The credential to delete."),))


GET = Operation("List the account's credentials, or get one", GET_CREDENTIALS, get_credentials)
ADD = Operation("Add a credential", ADD_CREDENTIAL, add_credential)
EDIT = Operation("Change a credential's password or permissions", EDIT_CREDENTIAL, edit_credential)
REMOVE = Operation(
    "Remove a credential (its name is free again)", REMOVE_CREDENTIAL, remove_credential
)
