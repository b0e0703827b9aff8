"""The mail.send tests' parts: a real server relaying as told, and the audit's entries."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx

from gridreseller.bootstrap import Container
from gridreseller.services import audit
from tests.factories import Account, Factory
from tests.mail.support import Delivered, Sink
from tests.support import Clock, ThreadServer, container_for, eventually, message

SENDER = "sender@example.com"


class MailServer:
    """A real server whose container relays as `overrides` say, with its own client and
    factory (the factory's services are that container's)."""

    def __init__(self, database_url: str, clock: Clock, **overrides: Any) -> None:
        self.container: Container = container_for(database_url, clock, **overrides)
        self.server = ThreadServer(self.container)
        self.server.start()
        self.client = httpx.Client(base_url=self.server.url, timeout=60)
        self.factory = Factory(self.container.services, self.client)

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.client.close()
        self.server.stop()


def sent_entries(server: MailServer, account: Account, count: int) -> list[audit.Event]:
    """The account's `mail.sent` audit entries, once `count` are written (they are
    written in batches, about once a second)."""

    def entries() -> list[audit.Event]:
        every = audit.events(server.factory.ctx, None, None)
        return [e for e in every if e.actor == account.username and e.action == "mail.sent"]

    assert eventually(lambda: len(entries()) >= count)
    return entries()


def mail(**overrides: Any) -> dict[str, Any]:
    """A message that sends: one recipient, a subject and a text."""
    return {
        "to": ["ann@example.com"],
        "from": SENDER,
        "subject": "Hello",
        "text": "Hi.",
        **overrides,
    }


def send(server: MailServer, fmt: str, account: Account | None, **params: Any) -> httpx.Response:
    """POST mail.send urlencoded (lists as `name[]`), as the 1.x Python client does."""
    return server.factory.call("mail.send", fmt, account, **params)


def received(sink: Sink, index: int = 0) -> tuple[Delivered, EmailMessage]:
    delivered = sink.messages[index]
    parsed = message_from_bytes(delivered.content, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return delivered, parsed


def assert_sent(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert message(response) == "success"
    if response.headers["content-type"].startswith("application/xml"):
        assert response.content.endswith(b"<result><message>success</message></result>\n")
