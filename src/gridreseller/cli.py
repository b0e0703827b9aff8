"""The operator's command line (§10): `gridreseller serve|distributor|package|ip`."""

from __future__ import annotations

import copy
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from gridreseller.bootstrap import build_container
from gridreseller.config import ENV_PREFIX, Settings, load_settings, split_host_port
from gridreseller.domain.errors import DomainError, Invalid
from gridreseller.mail.smtp_server import DEFAULT_MAX_MESSAGE_BYTES, SmtpOptions, run_smtp
from gridreseller.mail.tls import TlsError
from gridreseller.services import audit, operator
from gridreseller.services.context import ServiceContext

app = typer.Typer(
    help="gridreseller: the legacy SendGrid reseller API, self-hosted.", no_args_is_help=True
)
distributor_app = typer.Typer(help="Manage distributors.", no_args_is_help=True)
package_app = typer.Typer(help="Manage packages.", no_args_is_help=True)
ip_app = typer.Typer(help="Manage IP groups and addresses.", no_args_is_help=True)
app.add_typer(distributor_app, name="distributor")
app.add_typer(package_app, name="package")
app.add_typer(ip_app, name="ip")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default $GRIDRESELLER_DATABASE_URL, else sqlite:///gridreseller.db",
    ),
]


def _settings(database_url: str | None) -> Settings:
    settings = load_settings()
    return settings.with_overrides(database_url=database_url) if database_url else settings


def _context(database_url: str | None) -> ServiceContext:
    """Settings, schema migrated to the newest revision, and the services' context."""
    return build_container(_settings(database_url)).migrate().services


def _run(action: object) -> None:
    """Report a domain error as the operator's error, with exit status 1."""
    try:
        assert callable(action)
        action()
    except Invalid as error:
        for message in error.errors:
            typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1) from None
    except DomainError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the HTTP API (migrates the schema first)."""
    ctx = _context(database_url)
    admin = operator.bootstrap_admin(ctx)
    if admin:
        typer.echo(f"created distributor {admin[0]!r} with password {admin[1]!r} (shown once)")
    ctx.uow.engine.dispose()
    # Workers are separate processes: they read the database URL from the environment.
    os.environ[ENV_PREFIX + "DATABASE_URL"] = ctx.settings.database_url
    typer.echo(f"gridreseller listening on http://{host}:{port}")
    uvicorn.run(
        "gridreseller.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=_log_config(),
        server_header=False,
    )


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@app.command()
def smtp(
    relay: Annotated[str, typer.Option(help="The MTA to relay to, HOST:PORT.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 2525,
    tls_cert: Annotated[
        Path | None, typer.Option(help="PEM certificate (chain); default: self-signed.")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    max_message_bytes: Annotated[
        int, typer.Option(min=1, help="Largest message accepted (SIZE).")
    ] = DEFAULT_MAX_MESSAGE_BYTES,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the SMTP submission server (§11.1; migrates the schema first)."""
    try:
        relay_host, relay_port = split_host_port(relay)
    except ValueError:
        typer.echo("error: --relay must be HOST:PORT (e.g. 127.0.0.1:25)", err=True)
        raise typer.Exit(1) from None
    options = SmtpOptions(relay_host, relay_port, host, port, tls_cert, tls_key, max_message_bytes)
    logging.basicConfig(format=LOG_FORMAT, level=logging.INFO)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    try:
        run_smtp(_settings(database_url), options, typer.echo)
    except (TlsError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _log_config() -> dict[str, object]:
    """uvicorn's logging setup plus our own loggers (the access log among them),
    timestamped and plain: uvicorn's formatter copies every record to colour it."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["gridreseller"] = {"format": LOG_FORMAT}
    config["handlers"]["gridreseller"] = {
        "class": "logging.StreamHandler",
        "formatter": "gridreseller",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["gridreseller"] = {
        "handlers": ["gridreseller"],
        "level": "INFO",
        "propagate": False,
    }
    return config


@distributor_app.command("create")
def distributor_create(
    username: Annotated[str, typer.Option(help="Login name of the distributor.")],
    password: Annotated[str, typer.Option(help="Its password (stored as an argon2id hash).")],
    email: Annotated[str, typer.Option(help="Its contact address.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Create a distributor (a reseller account)."""
    ctx = _context(database_url)
    _run(lambda: operator.create_distributor(ctx, username, password, email))
    typer.echo(f"created distributor {username}")


@package_app.command("create")
def package_create(
    distributor: Annotated[str, typer.Option(help="Owning distributor's username.")],
    name: Annotated[str, typer.Option(help="Package name, unique per distributor.")],
    price: Annotated[str, typer.Option()] = "0",
    description: Annotated[str, typer.Option()] = "",
    credits: Annotated[int, typer.Option()] = 0,
    overage: Annotated[str, typer.Option()] = "0",
    has_ip: Annotated[bool, typer.Option("--has-ip", help="Customers may get IPs.")] = False,
    has_reseller: Annotated[bool, typer.Option("--has-reseller")] = False,
    distributor_price: Annotated[str, typer.Option()] = "0",
    database_url: DatabaseUrl = None,
) -> None:
    """Create a package a distributor can assign to its customers."""
    ctx = _context(database_url)
    spec = operator.PackageSpec(
        name=name,
        price=price,
        description=description,
        credits=credits,
        overage=overage,
        has_ip=has_ip,
        has_reseller=has_reseller,
        distributor_price=distributor_price,
    )
    _run(lambda: operator.create_package(ctx, distributor, spec))
    typer.echo(f"created package {name} for {distributor}")


@ip_app.command("add")
def ip_add(
    distributor: Annotated[str, typer.Option(help="Owning distributor's username.")],
    group: Annotated[str, typer.Option(help="IP group (created if missing).")],
    addresses: Annotated[list[str], typer.Argument(help="IPv4 or IPv6 addresses.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Add IP addresses to one of a distributor's IP groups."""
    ctx = _context(database_url)
    _run(lambda: operator.add_ips(ctx, distributor, group, addresses))
    typer.echo(f"added {len(addresses)} address(es) to {group} for {distributor}")


@app.command("audit")
def audit_log(
    distributor: Annotated[
        str | None, typer.Option(help="Only events in this distributor's tenant.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Only events at or after this UTC time (YYYY-mm-dd[THH:MM:SS])."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Read the audit log: changes, failed and throttled logins."""
    ctx = _context(database_url)
    tenant = _tenant_id(ctx, distributor) if distributor else None
    start = _parse_since(since) if since else None
    for event in audit.events(ctx, tenant, start):
        typer.echo(json.dumps(event.as_dict(), ensure_ascii=False) if as_json else _line(event))


def _tenant_id(ctx: ServiceContext, username: str) -> int:
    with ctx.uow.read() as repository:
        login = repository.distributor(username)
    if login is None:
        typer.echo(f"error: no distributor named {username!r}", err=True)
        raise typer.Exit(1)
    return login.id


def _parse_since(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.removesuffix("Z"))
    except ValueError:
        typer.echo("error: --since must be YYYY-mm-dd or YYYY-mm-ddTHH:MM:SS (UTC)", err=True)
        raise typer.Exit(1) from None
    return (
        parsed.replace(tzinfo=None)
        if parsed.tzinfo is None
        else parsed.astimezone(UTC).replace(tzinfo=None)
    )


def _line(event: audit.Event) -> str:
    """key=value pairs, values quoted with escapes: a CR or LF cannot start a new line."""
    fields = event.as_dict()
    details = fields.pop("fields")
    parts = [f"{fields.pop('time')}"]
    parts += [f"{name}={json.dumps(value, ensure_ascii=False)}" for name, value in fields.items()]
    parts.append(f"fields={json.dumps(details, ensure_ascii=False, sort_keys=True)}")
    return " ".join(parts)


def main() -> None:
    app()
