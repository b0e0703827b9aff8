"""The operator's command line (§10, §14): serve, distributors, packages, IPs, audit, backup.

Every failure the operator can cause (bad input, a mistyped setting, a database
that cannot be opened, a port in use) is one `error: ...` line on stderr and exit
status 1, never a traceback: `OneLineErrors` turns them so for every command.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from gridreseller import __version__, cli_stats, serving
from gridreseller.bootstrap import Container, build_container
from gridreseller.config import (
    ENV_PREFIX,
    ConfigurationError,
    Settings,
    load_settings,
    parse_networks,
)
from gridreseller.db.engine import display_url
from gridreseller.domain.audit import one_line
from gridreseller.domain.errors import DomainError, Invalid
from gridreseller.mail.smtp_server import SmtpOptions, run_smtp
from gridreseller.mail.tls import TlsError
from gridreseller.sending.targets import MaildirTarget, RelayTarget, maildir_warning, relay_target
from gridreseller.services import audit, operator
from gridreseller.services.context import ServiceContext


class OneLineErrors(TyperGroup):
    """Runs a command; whatever the operator got wrong becomes `error: ...` and exit 1."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except typer.TyperException as error:  # the command line itself: usage, prompts
            _usage_failure(error)
        except typer.Abort:
            _fail("aborted")
        except Invalid as error:
            _fail(*error.errors)
        except (DomainError, ConfigurationError) as error:
            _fail(str(error))
        sys.exit(code if isinstance(code, int) else 0)


def _usage_failure(error: typer.TyperException) -> NoReturn:
    """Typer's own errors (a missing option, a bad number) as one line with a hint."""
    context = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError" and context is not None:
        typer.echo(context.get_help())
        sys.exit(0)
    format_message = getattr(error, "format_message", None)
    message = format_message() if callable(format_message) else str(error)
    hint = f" (see {context.command_path} --help)" if context is not None else ""
    _fail(f"{message}{hint}")


def _fail(*messages: str) -> NoReturn:
    for message in messages:
        typer.echo(f"error: {message}", err=True)
    sys.exit(1)


def _typer(help_text: str) -> typer.Typer:
    # Plain help (flags without `<bool>` placeholders), and never a traceback that
    # shows local variables: they can hold a password.
    return typer.Typer(
        cls=OneLineErrors,
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
    )


app = _typer("gridreseller: the legacy SendGrid reseller API, self-hosted.")
distributor_app = _typer("Manage distributors (resellers).")
package_app = _typer("Manage packages.")
ip_app = _typer("Manage IP groups and addresses.")
app.add_typer(distributor_app, name="distributor")
app.add_typer(package_app, name="package")
app.add_typer(ip_app, name="ip")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL; default $GRIDRESELLER_DATABASE_URL, else sqlite:///gridreseller.db",
    ),
]
Password = Annotated[
    str | None,
    typer.Option(
        metavar="P",
        help="The password; '-' reads it from standard input; left out, a hidden prompt asks"
        " (keeps it out of `ps` and the shell's history).",
    ),
]
Distributor = Annotated[str, typer.Option(metavar="U", help="The distributor's username.")]
OnlyOf = Annotated[
    str | None, typer.Option("--distributor", metavar="U", help="Only this distributor's.")
]


def version() -> str:
    try:
        return metadata.version("gridreseller")
    except metadata.PackageNotFoundError:  # run from a source tree, not installed
        return __version__


def _show_version(asked: bool) -> None:
    if asked:
        typer.echo(f"gridreseller {version()}")
        raise typer.Exit()


@app.callback()
def _main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """gridreseller: the legacy SendGrid reseller API, self-hosted."""


def _settings(database_url: str | None, **overrides: object) -> Settings:
    settings = load_settings()
    if database_url:
        overrides["database_url"] = database_url
    return settings.with_overrides(**overrides) if overrides else settings


def _container(database_url: str | None, **overrides: object) -> Container:
    """The container on a database migrated to the newest revision."""
    return build_container(_settings(database_url, **overrides)).migrate()


def _context(database_url: str | None) -> ServiceContext:
    return _container(database_url).services


def _read_password(given: str | None) -> str:
    """--password P as given, '-' from stdin (one line), else a hidden prompt."""
    if given == "-":
        line = sys.stdin.readline()
        if not line:
            raise Invalid(["--password -: nothing on standard input"])
        return line.removesuffix("\n").removesuffix("\r")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise Invalid(["--password is required (give --password - to read it from standard input)"])
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return entered


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Columns aligned under a header; left-aligned text, nothing dropped."""
    cells = [list(header)] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)


# serve ------------------------------------------------------------------------------


@app.command()
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
    container = _container(database_url, **overrides)
    settings = container.settings
    sock = serving.listen(host, port)
    typer.echo(f"database: {display_url(settings.database_url)}")
    typer.echo(_sending_line(container.relay))
    _bootstrap_admin(container.services)
    container.close()
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


@app.command()
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
    settings = _settings(database_url)
    if not (relay or settings.relay):
        _fail("--relay is required (or set GRIDRESELLER_RELAY)")
    try:
        target = relay_target(relay or settings.relay, "--relay" if relay else "GRIDRESELLER_RELAY")
    except ValueError as error:
        _fail(str(error))
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


# distributors -----------------------------------------------------------------------


@distributor_app.command("create")
def distributor_create(
    username: Annotated[str, typer.Option(metavar="U", help="Login name of the distributor.")],
    email: Annotated[str, typer.Option(metavar="E", help="Its contact address.")],
    password: Password = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a distributor (a reseller account)."""
    ctx = _context(database_url)
    operator.create_distributor(ctx, username, _read_password(password), email)
    typer.echo(f"created distributor {username}")


@distributor_app.command("list")
def distributor_list(database_url: DatabaseUrl = None) -> None:
    """Every distributor: username, email, state and live customers."""
    rows = [
        (d.username, d.email, "enabled" if d.active else "disabled", d.customers)
        for d in operator.distributors(_context(database_url))
    ]
    _table(("username", "email", "state", "customers"), rows)


@distributor_app.command("set-password")
def distributor_set_password(
    username: Distributor, password: Password = None, database_url: DatabaseUrl = None
) -> None:
    """Give a distributor a new password (its open sessions end)."""
    ctx = _context(database_url)
    operator.set_distributor_password(ctx, username, _read_password(password))
    typer.echo(f"password of {username} changed")


@distributor_app.command("disable")
def distributor_disable(username: Distributor, database_url: DatabaseUrl = None) -> None:
    """Refuse the distributor and its credentials everywhere; its customers keep working."""
    _set_enabled(username, False, database_url)


@distributor_app.command("enable")
def distributor_enable(username: Distributor, database_url: DatabaseUrl = None) -> None:
    """Undo `distributor disable`."""
    _set_enabled(username, True, database_url)


def _set_enabled(username: str, enabled: bool, database_url: str | None) -> None:
    state = "enabled" if enabled else "disabled"
    changed = operator.set_distributor_enabled(_context(database_url), username, enabled)
    typer.echo(f"distributor {username} {state}" if changed else f"{username} was already {state}")


# packages ---------------------------------------------------------------------------


@package_app.command("create")
def package_create(
    distributor: Annotated[str, typer.Option(metavar="U", help="Owning distributor's username.")],
    name: Annotated[str, typer.Option(metavar="N", help="Package name, unique per distributor.")],
    price: Annotated[str, typer.Option(metavar="X", help="Price to the customer.")] = "0",
    description: Annotated[str, typer.Option(metavar="T", help="Free text.")] = "",
    credits: Annotated[int, typer.Option(metavar="N", help="Sending credits included.")] = 0,
    overage: Annotated[str, typer.Option(metavar="X", help="Price per extra email.")] = "0",
    has_ip: Annotated[
        bool, typer.Option("--has-ip", help="Customers on it may be given dedicated IPs.")
    ] = False,
    has_reseller: Annotated[
        bool, typer.Option("--has-reseller", help="Customers on it may resell (sub-accounts).")
    ] = False,
    distributor_price: Annotated[
        str, typer.Option(metavar="X", help="What the distributor pays for it.")
    ] = "0",
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
    operator.create_package(ctx, distributor, spec)
    typer.echo(f"created package {name} for {distributor}")


@package_app.command("list")
def package_list(distributor: OnlyOf = None, database_url: DatabaseUrl = None) -> None:
    """Packages with their terms and the live customers on each."""
    header = ("distributor", "name", "price", "credits", "overage", "distributor_price")
    _table(
        (*header, "has_ip", "has_reseller", "customers"),
        operator.packages(_context(database_url), distributor),
    )


@package_app.command("delete")
def package_delete(
    distributor: Distributor,
    name: Annotated[str, typer.Option(metavar="N", help="The package's name.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Delete a package no live customer is on."""
    operator.delete_package(_context(database_url), distributor, name)
    typer.echo(f"deleted package {name} of {distributor}")


# IPs --------------------------------------------------------------------------------


@ip_app.command("add")
def ip_add(
    distributor: Annotated[str, typer.Option(metavar="U", help="Owning distributor's username.")],
    group: Annotated[str, typer.Option(metavar="G", help="IP group (created if missing).")],
    addresses: Annotated[list[str], typer.Argument(help="IPv4 or IPv6 addresses.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Add IP addresses to one of a distributor's IP groups."""
    operator.add_ips(_context(database_url), distributor, group, addresses)
    typer.echo(f"added {len(addresses)} address(es) to {group} for {distributor}")


@ip_app.command("list")
def ip_list(distributor: OnlyOf = None, database_url: DatabaseUrl = None) -> None:
    """IP groups and their addresses, with the live customers that have each group, and
    each address itself."""
    rows = operator.ip_addresses(_context(database_url), distributor)
    _table(("distributor", "group", "group_customers", "address", "customers"), rows)


@ip_app.command("remove")
def ip_remove(
    distributor: Distributor,
    addresses: Annotated[
        list[str] | None, typer.Argument(help="Addresses to remove (or give --group).")
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(metavar="G", help="Remove this whole group (instead of addresses)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove addresses, or a whole group, that no live customer has."""
    if group is not None and addresses:
        raise Invalid(["give either --group or addresses, not both"])
    ctx = _context(database_url)
    if group is not None:
        operator.remove_ip_group(ctx, distributor, group)
        typer.echo(f"removed IP group {group} of {distributor}")
    else:
        operator.remove_ips(ctx, distributor, addresses or [])
        typer.echo(f"removed {len(addresses or [])} address(es) of {distributor}")


# audit and backup -------------------------------------------------------------------


@app.command("audit")
def audit_log(
    distributor: Annotated[
        str | None, typer.Option(metavar="U", help="Only events in this distributor's tenant.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="T", help="Only events at or after this UTC time (YYYY-mm-dd[THH:MM:SS])."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Read the audit log: changes, failed and throttled logins."""
    start = _parse_since(since) if since else None
    ctx = _context(database_url)
    tenant = _tenant_id(ctx, distributor) if distributor else None
    for event in audit.events(ctx, tenant, start):
        line = json.dumps(event.as_dict(), ensure_ascii=False) if as_json else _line(event)
        typer.echo(one_line(line))


def _tenant_id(ctx: ServiceContext, username: str) -> int:
    return operator.distributor_id(ctx, username)


def _parse_since(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.removesuffix("Z"))
    except ValueError:
        raise Invalid(["--since must be YYYY-mm-dd or YYYY-mm-ddTHH:MM:SS (UTC)"]) from None
    return (
        parsed.replace(tzinfo=None)
        if parsed.tzinfo is None
        else parsed.astimezone(UTC).replace(tzinfo=None)
    )


def _line(event: audit.Event) -> str:
    """key=value pairs, values quoted with escapes; with one_line, no line separator
    (CR, LF, U+2028, U+0085...) inside a value can start a new line."""
    fields = event.as_dict()
    details = fields.pop("fields")
    parts = [f"{fields.pop('time')}"]
    parts += [f"{name}={json.dumps(value, ensure_ascii=False)}" for name, value in fields.items()]
    parts.append(f"fields={json.dumps(details, ensure_ascii=False, sort_keys=True)}")
    return " ".join(parts)


@app.command("stats")
def stats_command(
    distributor: cli_stats.OfDistributor = "",
    customer: cli_stats.OfCustomer = "",
    since: cli_stats.Since = "",
    until: cli_stats.Until = "",
    as_json: cli_stats.AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Sending activity per day: messages, recipients, credits used, refusals."""
    options = {"distributor": distributor, "customer": customer, "since": since, "until": until}
    cli_stats.stats(_context(database_url), _table, as_json=as_json, **options)


@app.command()
def backup(
    to: Annotated[Path, typer.Option("--to", metavar="FILE", help="The copy to write (new file).")],
    database_url: DatabaseUrl = None,
) -> None:
    """A consistent copy of the SQLite database, safe while `serve` runs and writes."""
    copied = operator.backup(_context(database_url), to)
    typer.echo(f"backed up {copied.pages} pages to {copied.path}")


def main() -> None:
    # The same name in messages however it was started (`python -m gridreseller`, too).
    app(prog_name="gridreseller")
