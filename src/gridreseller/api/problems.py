"""Transport-level failures that happen before a service is reached."""

from __future__ import annotations


class HttpProblem(Exception):
    """A request refused by the transport rules of §2 (405, 413, 415, 400)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BodyTooLarge(HttpProblem):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body must be no more than {limit} bytes")
