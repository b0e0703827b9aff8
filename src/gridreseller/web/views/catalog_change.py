"""The POST of the Packages and IP groups pages: one of the page's forms (its
`change`), run by the distributor itself under the operator's rules; a refused form is
shown again on the page, a done one redirects back with its notice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.responses import Response

from gridreseller.domain.access import Capability
from gridreseller.domain.errors import Invalid
from gridreseller.web import messages
from gridreseller.web.actions.plan import CATALOG_CHANGES
from gridreseller.web.dashboard import Visit, redirect
from gridreseller.web.render import FormState

# A form's name, the fields it sends and its notice once done, by its `change`.
Forms = Mapping[str, tuple[str, tuple[str, ...], str]]
Page = Callable[[Visit, FormState | None], Awaitable[Response]]


def catalog_change(forms: Forms, page: Page, path: str) -> Callable[[Visit], Awaitable[Response]]:
    async def change(visit: Visit) -> Response:
        if not visit.may(Capability.MANAGE_CATALOG):
            return visit.dashboard.problem(visit.request, 403, messages.PAGE_FORBIDDEN)
        chosen = visit.form.text("change")
        if chosen not in forms:
            raise Invalid([f"change must be one of {', '.join(forms)}"])
        name, fields, notice = forms[chosen]
        form = visit.form.without("change")
        try:
            await CATALOG_CHANGES[chosen](visit.ctx, visit.principal, form)
        except Invalid as error:
            return await page(visit, FormState.refused(name, form, error, fields))
        return redirect(path, notice=notice)

    return change
