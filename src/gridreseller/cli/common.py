"""What every command shares: one-line errors, the common options, the service
context on a migrated database, password reading and aligned tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from gridreseller import __version__
from gridreseller.bootstrap import OperatorParts, operator_parts
from gridreseller.config import ConfigurationError, Settings, load_settings
from gridreseller.domain.errors import DomainError, Invalid
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
            fail("aborted")
        except Invalid as error:
            fail(*error.errors)
        except (DomainError, ConfigurationError) as error:
            fail(str(error))
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
    fail(f"{message}{hint}")


def fail(*messages: str) -> NoReturn:
    """Each message as an `error: ...` line on stderr, then exit status 1."""
    for message in messages:
        typer.echo(f"error: {message}", err=True)
    sys.exit(1)


def command_group(help_text: str) -> typer.Typer:
    """A Typer app (or sub-app) whose failures are one line."""
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


def settings_for(database_url: str | None, **overrides: object) -> Settings:
    """The settings from the environment, with --database-url and other options on top."""
    settings = load_settings()
    if database_url:
        overrides["database_url"] = database_url
    return settings.with_overrides(**overrides) if overrides else settings


def migrated_parts(database_url: str | None, **overrides: object) -> OperatorParts:
    """What the operator's commands use, on a database migrated to the newest revision."""
    return operator_parts(settings_for(database_url, **overrides))


def context_for(database_url: str | None) -> ServiceContext:
    """The services on a migrated database, for one command."""
    return migrated_parts(database_url).services


def read_password(given: str | None) -> str:
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


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Columns aligned under a header; left-aligned text, nothing dropped."""
    cells = [list(header)] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)
