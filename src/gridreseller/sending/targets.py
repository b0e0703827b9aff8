"""Where relayed mail goes: an upstream MTA (`HOST:PORT`) or, for trying gridreseller
without one, a Maildir (`maildir:PATH`) that keeps each message instead of sending it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gridreseller.config import split_host_port

MAILDIR_PREFIX = "maildir:"


@dataclass(frozen=True)
class UpstreamTarget:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class MaildirTarget:
    path: Path

    def __str__(self) -> str:
        return f"{MAILDIR_PREFIX}{self.path}"


RelayTarget = UpstreamTarget | MaildirTarget


def relay_target(text: str, name: str = "the relay") -> RelayTarget:
    """`HOST:PORT`, `[IPv6]:PORT` or `maildir:PATH`; ValueError with a one-line
    message naming `name` (the option or variable it came from) otherwise."""
    if text.startswith(MAILDIR_PREFIX):
        path = text[len(MAILDIR_PREFIX) :].strip()
        if not path:
            raise ValueError(f"{name} must name a directory after maildir:")
        return MaildirTarget(Path(path))
    try:
        host, port = split_host_port(text)
    except ValueError:
        # The same words as before maildir: existed (scripts may match them).
        raise ValueError(f"{name} must be HOST:PORT (e.g. 127.0.0.1:25)") from None
    return UpstreamTarget(host, port)


def maildir_warning(target: MaildirTarget) -> str:
    """The line whoever starts a Maildir relay prints: nothing is sent from there."""
    return (
        f"WARNING: relaying to the Maildir {target.path}: messages are stored there and "
        "NOT sent (for trying gridreseller without an MTA; set HOST:PORT to send)"
    )
