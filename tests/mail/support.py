"""The mail tests' parts: an aiosmtpd sink as the upstream MTA, the embedded server in
a thread of its own, SMTP clients over STARTTLS, and account changes through services."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import threading
from base64 import b64encode
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from gridreseller.api.legacy import credentials, customers, manage
from gridreseller.api.legacy.params import Params
from gridreseller.bootstrap import Container, smtp_parts
from gridreseller.domain import rules
from gridreseller.domain.access import Role
from gridreseller.domain.models import Actor, LoginKind
from gridreseller.mail.smtp_server import SmtpOptions, SubmissionServer
from gridreseller.mail.tls import server_tls
from gridreseller.services import operator
from gridreseller.services.context import ServiceContext
from tests.database import unit_of_work
from tests.factories import Account
from tests.support import free_port

# Recipients the sink refuses at RCPT TO, and how.
REJECTED = "nobody@reject.example"
DEFERRED = "later@defer.example"
SINK_REFUSALS = {
    REJECTED: "550 5.1.1 <nobody@reject.example>: Recipient address rejected",
    DEFERRED: "451 4.3.0 Try again later",
}
MESSAGE = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n\r\nHello.\r\n"


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SinkHandler:
    """Accepts everything but SINK_REFUSALS; records what it accepted."""

    messages: list[Delivered] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in SINK_REFUSALS:
            return SINK_REFUSALS[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        assert envelope.mail_from is not None and envelope.original_content is not None
        self.messages.append(
            Delivered(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 Ok: queued as SINK1"


class Sink:
    """An aiosmtpd server on 127.0.0.1 standing in for the operator's MTA."""

    def __init__(self, port: int | None = None) -> None:
        self.handler = SinkHandler()
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Delivered]:
        return self.handler.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class SmtpThread:
    """The embedded submission server, on an event loop in a thread of its own."""

    def __init__(self, container: Container, relay_port: int, **options: Any) -> None:
        self.container = container
        self.options = SmtpOptions("127.0.0.1", relay_port, port=0, **options)
        self.tls = server_tls(None, None, "localhost")
        parts = smtp_parts(container, self.options.relay, "mx.test")
        self.server = SubmissionServer(parts, self.options, self.tls.context, "mx.test")
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(10), "the SMTP server did not start"

    def stop(self, grace_seconds: float = 5.0) -> None:
        done = asyncio.run_coroutine_threadsafe(self.server.stop(grace_seconds), self.loop)
        done.result(grace_seconds + 10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.port = self.loop.run_until_complete(self.server.start())
        self._ready.set()
        self.loop.run_forever()
        self.container.uow.release_thread_connections()
        self.loop.close()


def client_tls() -> ssl.SSLContext:
    """The server's certificate is self-signed: tests compare its fingerprint instead."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect(port: int, *, tls: bool = True) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    client.ehlo("client.example")
    if tls:
        client.starttls(context=client_tls())
        client.ehlo("client.example")
    return client


def signed_in(port: int, account: Account) -> smtplib.SMTP:
    client = connect(port)
    client.login(account.username, account.password)
    return client


def auth_plain(client: smtplib.SMTP, username: str, password: str) -> tuple[int, bytes]:
    """A raw `AUTH PLAIN <base64>` with UTF-8 credentials."""
    blob = b64encode(b"\x00" + username.encode() + b"\x00" + password.encode()).decode()
    return client.docmd("AUTH", f"PLAIN {blob}")


# Account changes, through the services as the distributor (or customer) would make them


def actor_for(ctx: ServiceContext, account: Account) -> Actor:
    """Whom the account acts for, as the access core would admit it."""
    with unit_of_work(ctx).read() as repository:
        login = repository.login_for_auth(rules.username_key(account.username))
    assert login is not None, account.username
    on_customer = login.state.role in (Role.CUSTOMER, Role.CUSTOMER_CREDENTIAL)
    kind = LoginKind.CUSTOMER if on_customer else LoginKind.DISTRIBUTOR
    return Actor(login.account_id, kind, login.username, tenant_id=login.tenant_id)


def manage_customer(ctx: ServiceContext, distributor: Account, **params: str) -> None:
    asyncio.run(manage.MANAGE.run(ctx, actor_for(ctx, distributor), Params.of(**params)))


def delete_customer(ctx: ServiceContext, distributor: Account, customer: Account) -> None:
    actor = actor_for(ctx, distributor)
    asyncio.run(customers.DELETE.run(ctx, actor, Params.of(user=customer.username)))


def edit_credential(ctx: ServiceContext, owner: Account, name: str, **params: str) -> None:
    actor = actor_for(ctx, owner)
    asyncio.run(credentials.EDIT.run(ctx, actor, Params.of(username=name, **params)))


def set_distributor_active(ctx: ServiceContext, distributor: Account, active: bool) -> None:
    """The operator's disable/enable (docs/deployment.md)."""
    operator.set_distributor_enabled(ctx, distributor.username, active)
