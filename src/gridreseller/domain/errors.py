"""Domain errors; each surface maps each kind to its own answer (status, reply code)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from gridreseller.domain.access import Denial

USERNAME_TAKEN = "username is already taken"


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class Problem(NamedTuple):
    """One thing wrong with a request: the parameter it is about (if one), and why."""

    field: str | None
    message: str


class Invalid(DomainError):
    """Bad parameters (400); every message names its parameter."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems = [p if isinstance(p, Problem) else Problem(None, p) for p in problems]
        self.errors = [problem.message for problem in self.problems]
        super().__init__("; ".join(self.errors))


class NotFound(DomainError):
    """No such user for this caller (404).

    `bare` selects the seed's `{"message": "User not found"}` form used by
    enable/disable/website_enable/website_disable.
    """

    def __init__(self, message: str = "User not found", *, bare: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.bare = bare


class Unauthorized(DomainError):
    """Missing or wrong api_user/api_key (401)."""

    message = "Bad username / password"

    def __init__(self) -> None:
        super().__init__(self.message)


class Forbidden(DomainError):
    """The right password, but this login may not do what it asked (403, 535 5.7.1, ...).

    It names the reason only; each surface words it in its own protocol.
    """

    def __init__(self, denial: Denial) -> None:
        super().__init__(denial.value)
        self.denial = denial


class Unavailable(DomainError):
    """The database, or the mail relay, cannot be reached right now (503)."""

    def __init__(
        self, message: str = "service temporarily unavailable", *, retry_after: int = 1
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class MessageTooLarge(DomainError):
    """A message built for sending is over the message size limit (413)."""


class Throttled(DomainError):
    """Too many failed logins for this account or network (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry after {retry_after} seconds")
        self.retry_after = retry_after
