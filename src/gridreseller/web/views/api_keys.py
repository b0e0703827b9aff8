"""A primary account's API keys (docs/dashboard.md; the `/v3/api_keys` calls): list,
create (the key shown once, with a copy button), rename, change scopes, delete after a
confirmation step. Distributors and customers only: a credential never gets here."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from gridreseller.domain.access import Capability
from gridreseller.domain.api_keys import SCOPES
from gridreseller.domain.errors import Invalid, NotFound
from gridreseller.services.api_keys import KeyView
from gridreseller.web.actions import api_keys as actions
from gridreseller.web.dashboard import Dashboard, Handler, Visit, redirect
from gridreseller.web.render import FormState

MANAGE = Capability.MANAGE_API_KEYS
FIELDS = ("name", "scopes")
KEY_NOT_FOUND = "There is no such API key."


def routes(dashboard: Dashboard) -> list[Route]:
    return [
        dashboard.route("/api-keys", MANAGE, show=key_list),
        dashboard.route("/api-keys/create", MANAGE, act=create_key),
        dashboard.route("/api-key", MANAGE, show=_unknown_key_is_404(key_page)),
        dashboard.route("/api-key/rename", MANAGE, act=_unknown_key_is_404(rename_key)),
        dashboard.route("/api-key/scopes", MANAGE, act=_unknown_key_is_404(set_scopes)),
        dashboard.route(
            "/api-key/delete",
            MANAGE,
            show=_unknown_key_is_404(confirm_delete),
            act=_unknown_key_is_404(delete_key),
        ),
    ]


async def key_list(visit: Visit, refused: FormState | None = None) -> Response:
    keys = await actions.list_keys(visit.ctx, visit.principal)
    form = refused or FormState("create", {}, lists={actions.SCOPES_FIELD: SCOPES})
    status = 400 if refused else 200
    return visit.render("api_keys.html", status, keys=keys, form=form, scopes=SCOPES)


async def create_key(visit: Visit) -> Response:
    try:
        created = await actions.create_key(visit.ctx, visit.principal, visit.form)
    except Invalid as error:
        return await key_list(visit, FormState.refused("create", visit.form, error, FIELDS))
    # Rendered, not redirected to: the key is in this answer and in no later one.
    return visit.render("api_key_created.html", 201, created=created)


async def key_page(visit: Visit, refused: FormState | None = None) -> Response:
    key = await _key(visit, visit.query("id") or visit.form.text("id"))
    form = refused or _current(key)
    status = 400 if refused else 200
    return visit.render("api_key.html", status, key=key, form=form, scopes=SCOPES)


async def rename_key(visit: Visit) -> Response:
    try:
        await actions.rename_key(visit.ctx, visit.principal, visit.form)
    except Invalid as error:
        return await key_page(visit, FormState.refused("edit", visit.form, error, FIELDS))
    return redirect("/api-keys", notice="api_key_saved")


async def set_scopes(visit: Visit) -> Response:
    try:
        await actions.set_scopes(visit.ctx, visit.principal, visit.form)
    except Invalid as error:
        refused = FormState.refused("edit", visit.form, error, FIELDS)
        return await key_page(visit, refused)
    return redirect("/api-keys", notice="api_key_saved")


async def confirm_delete(visit: Visit) -> Response:
    key = await _key(visit, visit.query("id"))
    return visit.render(
        "confirm.html",
        title="Delete API key",
        question=(
            f"Delete the API key {key.name} ({key.key_id})? Applications using it are "
            "refused from their next request on; this cannot be undone."
        ),
        action="/api-key/delete",
        fields={"id": key.key_id},
        button="Delete API key",
        cancel=("/api-keys", {}),
    )


async def delete_key(visit: Visit) -> Response:
    await actions.delete_key(visit.ctx, visit.principal, visit.form)
    return redirect("/api-keys", notice="api_key_deleted")


async def _key(visit: Visit, key_id: str) -> KeyView:
    return await actions.find_key(visit.ctx, visit.principal, key_id)


def _unknown_key_is_404(handler: Handler) -> Handler:
    """Another account's key id, or an unknown one: this page's 404 (the dashboard's
    own NotFound page speaks of users)."""

    async def page(visit: Visit) -> Response:
        try:
            return await handler(visit)
        except NotFound:
            return visit.dashboard.problem(visit.request, 404, KEY_NOT_FOUND)

    return page


def _current(key: KeyView) -> FormState:
    return FormState("edit", {"name": key.name}, lists={actions.SCOPES_FIELD: key.scopes})
