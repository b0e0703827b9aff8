"""An account's credentials (the services of credentials/get|add|edit|remove); the
permission checkboxes are read into the credential's bits directly."""

from __future__ import annotations

from functools import partial

from gridreseller.domain import field_rules
from gridreseller.domain.access import Principal
from gridreseller.domain.errors import Invalid, Problem
from gridreseller.domain.field_rules import FieldProblem
from gridreseller.domain.models import CredentialView
from gridreseller.domain.rules import PERMISSION_KEYS
from gridreseller.services import credentials
from gridreseller.services.context import ServiceContext
from gridreseller.web.actions import dashboard_actor
from gridreseller.web.form_fields import FormReader, Rule, bit, is_required
from gridreseller.web.forms import Form


async def list_credentials(ctx: ServiceContext, principal: Principal) -> list[CredentialView]:
    command = credentials.ListCredentials()
    return (
        await credentials.list_credentials(ctx, dashboard_actor(principal), command)
    ).credentials


async def find_credential(ctx: ServiceContext, principal: Principal, name: str) -> CredentialView:
    if not name:
        raise Invalid(["username is required"])
    reader = FormReader(Form.of({"username": name}), ctx.parse_context())
    found: str = reader.value("username", field_rules.text, empty=None)
    reader.check()
    command = credentials.FindCredential(found)
    return await credentials.find_credential(ctx, dashboard_actor(principal), command)


async def customer_credentials(
    ctx: ServiceContext, principal: Principal, user: str
) -> list[CredentialView]:
    """The credentials of a customer of this distributor, read only."""
    return await credentials.customer_credentials(ctx, dashboard_actor(principal), user)


async def add_credential(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """A new credential with the bits ticked (unticked: 0)."""
    reader = FormReader(form, ctx.parse_context())
    name = _name(reader)
    password: str = reader.value("password", _password(reader), required=True, empty=is_required)
    bits = _ticked_bits(reader)
    reader.check()
    command = credentials.AddCredential(name, password, bits)
    await credentials.add_credential(ctx, dashboard_actor(principal), command)


async def edit_credential(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    """Every bit as ticked (unticked: 0); an empty password keeps the password."""
    if not form.get("password"):
        form = form.without("password")
    reader = FormReader(form, ctx.parse_context())
    name = _name(reader)
    password: str | None = reader.value("password", _password(reader), empty=is_required)
    email, web, api = (_edited_bit(reader, key) for key in PERMISSION_KEYS)
    reader.check()
    command = credentials.EditCredential(name, password, {}, email, web, api)
    await credentials.edit_credential(ctx, dashboard_actor(principal), command)


async def remove_credential(ctx: ServiceContext, principal: Principal, form: Form) -> None:
    reader = FormReader(form, ctx.parse_context())
    command = credentials.RemoveCredential(_name(reader))
    reader.check()
    await credentials.remove_credential(ctx, dashboard_actor(principal), command)


def _name(reader: FormReader) -> str:
    name: str = reader.value(
        "username", field_rules.credential_name, required=True, empty=is_required
    )
    return name


def _password(reader: FormReader) -> Rule:
    return partial(field_rules.password, min_length=reader.limits.min_password_length)


def _ticked_bits(reader: FormReader) -> dict[str, int]:
    """The checkboxes: "1" ticked, absent (or "0") not. Another value is told as the
    credential's `permissions` (the first such only), as the API tells its object's."""
    bits: dict[str, int] = {}
    for key in PERMISSION_KEYS:
        raw = reader.form.get(key)
        if raw not in (None, "0", "1"):
            reader.add(Problem("permissions", f"permissions {key} must be 0 or 1"))
            return {}
        bits[key] = 1 if raw == "1" else 0
    return bits


def _edited_bit(reader: FormReader, key: str) -> int | None:
    """A checkbox of the edit form: "1" ticked, "0" or nothing (unticked) not."""
    try:
        return bit(key, reader.form.get(key) or "0")
    except FieldProblem as problem:
        reader.add(Problem(key, str(problem)))
        return None
