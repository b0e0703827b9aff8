"""The legacy (SendGrid v2) wire format, spoken by the hand-written API only.

A request's parameter bag (`params.py`: scalars, `name[]` arrays, uploads), the kinds
of value a parameter takes (`kinds.py`, on the shared rules of domain/field_rules.py,
with the legacy messages and the `true`/`false` flags), declarations of a call's
fields (`fields.py`), operations and the selectors of `distributor.manage`
(`operations.py`), and one declarations module per API area that turns parsed values
into the services' typed commands.
"""
