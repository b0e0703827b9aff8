"""The operator's command line (docs/deployment.md): serve, distributors, packages, IPs, audit,
backup.

Every failure the operator can cause (bad input, a mistyped setting, a database
that cannot be opened, a port in use) is one `error: ...` line on stderr and exit
status 1, never a traceback: `OneLineErrors` turns them so for every command.
This module is the table of commands; each lives in the module named for its group.
"""

from __future__ import annotations

from typing import Annotated

import typer

from gridreseller.cli import accounts, audit, catalog, serve, stats
from gridreseller.cli.common import command_group, version

app = command_group("gridreseller: the legacy SendGrid reseller API, self-hosted.")
distributor_app = command_group("Manage distributors (resellers).")
package_app = command_group("Manage packages.")
ip_app = command_group("Manage IP groups and addresses.")
app.add_typer(distributor_app, name="distributor")
app.add_typer(package_app, name="package")
app.add_typer(ip_app, name="ip")

# The order here is the order of `--help`.
app.command("serve")(serve.serve)
app.command("smtp")(serve.smtp)
app.command("audit")(audit.audit_log)
app.command("stats")(stats.stats_command)
app.command("backup")(audit.backup)

distributor_app.command("create")(accounts.create)
distributor_app.command("list")(accounts.list_all)
distributor_app.command("set-password")(accounts.set_password)
distributor_app.command("disable")(accounts.disable)
distributor_app.command("enable")(accounts.enable)

package_app.command("create")(catalog.package_create)
package_app.command("list")(catalog.package_list)
package_app.command("delete")(catalog.package_delete)

ip_app.command("add")(catalog.ip_add)
ip_app.command("list")(catalog.ip_list)
ip_app.command("remove")(catalog.ip_remove)


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


def main() -> None:
    # The same name in messages however it was started (`python -m gridreseller`, too).
    app(prog_name="gridreseller")
