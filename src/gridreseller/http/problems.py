"""Transport-level refusals: what happens before a service is reached."""

from __future__ import annotations


class HttpProblem(Exception):
    """A request refused by the transport rules of docs/api.md (405, 413, 415, 400);
    each surface words it in its own table (http/errors.py)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BodyTooLarge(HttpProblem):
    """A body over the surface's limit, declared or counted as it arrives."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body must be no more than {limit} bytes")
        self.limit = limit


class BodyCutOff(HttpProblem):
    """The client went away (or was dropped for being slow) before its whole body
    arrived: what did arrive is never acted on, a cut-off password or list included."""

    def __init__(self) -> None:
        super().__init__(400, "the request body was cut off before its end")
