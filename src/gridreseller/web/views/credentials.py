"""An account's credentials (docs/dashboard.md; credentials/*): list and add, edit, remove after a
confirmation step. Distributors and customers only: a credential never gets here."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.domain.errors import Invalid
from gridreseller.domain.models import CredentialView
from gridreseller.web.actions import credentials as actions
from gridreseller.web.dashboard import Dashboard, Visit, redirect
from gridreseller.web.render import FormState

MANAGE = Capability.MANAGE_CREDENTIALS
# "permissions ..." errors (the add call's JSON object) are shown beside the checkboxes.
FIELDS = ("username", "password", "permissions", "email", "web", "api")


def routes(dashboard: Dashboard) -> list[Route]:
    return [
        dashboard.route("/credentials", MANAGE, show=credential_list),
        dashboard.route("/credentials/add", MANAGE, act=add_credential),
        dashboard.route("/credential", MANAGE, show=credential_page),
        dashboard.route("/credential/edit", MANAGE, act=edit_credential),
        dashboard.route("/credential/remove", MANAGE, show=confirm_remove, act=remove_credential),
    ]


async def credential_list(visit: Visit, refused: FormState | None = None) -> Response:
    found = await actions.list_credentials(visit.ctx, visit.principal)
    status = 400 if refused else 200
    form = refused or FormState("add")
    return visit.render("credentials.html", status, credentials=found, form=form)


async def add_credential(visit: Visit) -> Response:
    try:
        await actions.add_credential(visit.ctx, visit.principal, visit.form)
    except Invalid as error:
        return await credential_list(visit, FormState.refused("add", visit.form, error, FIELDS))
    return redirect("/credentials", notice="credential_added")


async def credential_page(visit: Visit) -> Response:
    credential = await actions.find_credential(visit.ctx, visit.principal, visit.query("username"))
    return visit.render("credential.html", credential=credential, form=_current(credential))


async def edit_credential(visit: Visit) -> Response:
    try:
        await actions.edit_credential(visit.ctx, visit.principal, visit.form)
    except Invalid as error:
        name = visit.form.text("username")
        credential = await actions.find_credential(visit.ctx, visit.principal, name)
        refused = FormState.refused("edit", visit.form, error, FIELDS)
        return visit.render("credential.html", 400, credential=credential, form=refused)
    return redirect("/credentials", notice="credential_saved")


async def confirm_remove(visit: Visit) -> Response:
    credential = await actions.find_credential(visit.ctx, visit.principal, visit.query("username"))
    return visit.render(
        "confirm.html",
        title="Remove credential",
        question=(
            f"Remove the credential {credential.name}? It can no longer log in anywhere, "
            "and its name becomes free for a new login."
        ),
        action="/credential/remove",
        fields={"username": credential.name},
        button="Remove credential",
        cancel=("/credentials", {}),
    )


async def remove_credential(visit: Visit) -> Response:
    await actions.remove_credential(visit.ctx, visit.principal, visit.form)
    return redirect("/credentials", notice="credential_removed")


def _current(credential: CredentialView) -> FormState:
    bits = credential.permissions.as_dict()
    values = {"username": credential.name, **{k: str(v) for k, v in bits.items()}}
    return FormState("edit", values)
