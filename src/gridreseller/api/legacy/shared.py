"""Parameters several legacy calls share, declared once (api/legacy/fields.py)."""

from __future__ import annotations

from gridreseller.api.legacy.fields import Field
from gridreseller.api.legacy.kinds import Confirmation, Password, Text, Username
from gridreseller.domain import rules


def user_field(
    description: str = "Username of one of this distributor's live customers.",
    aliases: tuple[str, ...] = (),
) -> Field:
    return Field(
        "user",
        Username(),
        True,
        description=description,
        example="jane@example.com",
        aliases=aliases,
    )


def profile_fields(*, required: bool) -> tuple[Field, ...]:
    """The profile fields and their limits (docs/api.md); all required at creation."""
    where = "Profile field" if required else "New value"
    return tuple(
        Field(name, Text(limit), required, description=f"{where}, at most {limit} characters.")
        for name, limit in rules.PROFILE_LIMITS.items()
    )


def new_password_fields(description: str = "The new password.") -> tuple[Field, ...]:
    return (
        Field("password", Password(), True, description=description),
        Field(
            "confirm_password", Confirmation("password"), True, description="Must equal `password`."
        ),
    )
