"""`gridreseller serve` and `gridreseller smtp`: the two long-running servers."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from gridreseller import serving
from gridreseller.cli.common import DatabaseUrl, fail, migrated_parts, settings_for
from gridreseller.config import ENV_PREFIX, parse_networks
from gridreseller.mail.smtp_server import SmtpOptions, run_smtp
from gridreseller.mail.tls import TlsError
from gridreseller.sending.targets import MaildirTarget, RelayTarget, maildir_warning, relay_target
from gridreseller.services import operator
from gridreseller.services.context import ServiceContext


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            metavar="IPS",
            help="Comma-separated addresses or networks of reverse proxies whose"
            " X-Forwarded-For names the client (throttling, audit, logs); default"
            " $GRIDRESELLER_FORWARDED_ALLOW_IPS, else none.",
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the HTTP API (migrates the schema first)."""
    overrides: dict[str, object] = {}
    if forwarded_allow_ips is not None:
        overrides["forwarded_allow_ips"] = parse_networks(
            forwarded_allow_ips, "--forwarded-allow-ips"
        )
    parts = migrated_parts(database_url, **overrides)
    settings = parts.settings
    sock = serving.listen(host, port)
    typer.echo(f"database: {parts.database}")
    typer.echo(_sending_line(parts.relay))
    _bootstrap_admin(parts.services)
    parts.close()
    # The app (and every worker process) reads its settings from the environment.
    os.environ[ENV_PREFIX + "DATABASE_URL"] = settings.database_url
    os.environ[ENV_PREFIX + "FORWARDED_ALLOW_IPS"] = ",".join(settings.forwarded_allow_ips)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"gridreseller listening on http://{shown}:{sock.getsockname()[1]}")
    serving.run(sock, workers, settings)


def _sending_line(relay: RelayTarget | None) -> str:
    """Where mail.send relays: said at start, loudly when it is a Maildir."""
    if relay is None:
        return "sending: not configured (set GRIDRESELLER_RELAY); mail.send answers 503"
    if isinstance(relay, MaildirTarget):
        return maildir_warning(relay)
    return f"sending: relaying to {relay}"


def _bootstrap_admin(ctx: ServiceContext) -> None:
    """A first distributor on an empty database; its password goes to a 0600 file (and
    to the terminal, if there is one), never to a log."""
    path = serving.admin_password_path(ctx.settings)
    created = operator.bootstrap_admin(ctx)
    if created is None:
        return
    username, password = created
    try:
        serving.write_secret(path, password)
    except OSError as error:
        typer.echo(
            f"created distributor {username!r}; could not write its password to {path}"
            f" ({error.strerror}): set one with `gridreseller distributor set-password"
            f" --username {username}`"
        )
    else:
        typer.echo(
            f"created distributor {username!r}; its password is in {path}"
            " (readable by this user only; delete the file once you have it)"
        )
    if sys.stdout.isatty():
        typer.echo(f"password of {username!r}: {password}")


def smtp(
    relay: Annotated[
        str | None,
        typer.Option(
            help="The MTA to relay to, HOST:PORT, or maildir:PATH to store messages there "
            "instead (for trying it out; nothing is sent). Default: GRIDRESELLER_RELAY."
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 2525,
    tls_cert: Annotated[
        Path | None, typer.Option(help="PEM certificate (chain); default: self-signed.")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    max_message_bytes: Annotated[
        int | None,
        typer.Option(
            min=1, help="Largest message accepted (SIZE). Default: GRIDRESELLER_MAX_MESSAGE_BYTES."
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the SMTP submission server (migrates the schema first)."""
    settings = settings_for(database_url)
    if not (relay or settings.relay):
        fail("--relay is required (or set GRIDRESELLER_RELAY)")
    try:
        target = relay_target(relay or settings.relay, "--relay" if relay else "GRIDRESELLER_RELAY")
    except ValueError as error:
        fail(str(error))
    options = SmtpOptions.relaying_to(
        target,
        host=host,
        port=port,
        tls_cert=tls_cert,
        tls_key=tls_key,
        max_message_bytes=max_message_bytes or settings.max_message_bytes,
    )
    logging.basicConfig(format=serving.LOG_FORMAT, level=settings.log_level)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    try:
        run_smtp(settings, options, typer.echo)
    except (TlsError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
