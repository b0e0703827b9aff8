"""Parameters several calls share, declared once (domain/fields.py)."""

from __future__ import annotations

from gridreseller.domain import rules
from gridreseller.domain.fields import Confirmation, Field, Password, Text, Username


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
    """§4's profile fields and their limits; all required at creation."""
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
