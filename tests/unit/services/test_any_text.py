"""Any Unicode text in a profile field (docs/api.md): distributor.add and profile set
store it unchanged and find it by filter, or refuse it with problems on that field
only and change nothing. (tests/api/test_unicode_roundtrip.py renders stored text in
both formats over every transport.)"""

from __future__ import annotations

import pytest
from hypothesis import event, given

from gridreseller.api.legacy import customers
from gridreseller.api.legacy.manage import MANAGE
from gridreseller.domain.errors import Invalid
from gridreseller.domain.rules import PROFILE_LIMITS
from tests.factories import Account, Distributor, Factory, customer_params, unique
from tests.unicode_text import example_settings, field_values, is_refused

SETTINGS = example_settings(200)


def assert_refused_on(error: Invalid, field: str) -> None:
    assert error.problems, error
    assert {problem.field for problem in error.problems} == {field}, error.problems
    assert all(message.startswith(f"{field} ") for message in error.errors), error.errors


def assert_stored(
    factory: Factory, distributor: Distributor, user: str, field: str, value: str
) -> None:
    """Read back as stored, and found by an exact filter on it."""
    row = factory.customer_row(distributor, user)
    assert row is not None and row[field] == value
    found = factory.customers_of(distributor, **{field: value})
    assert user in [row["username"] for row in found], (field, value)


@SETTINGS
@given(field_value=field_values())
def test_add_stores_any_text_or_names_the_field(
    factory: Factory, one_distributor: Distributor, field_value: tuple[str, str]
) -> None:
    field, value = field_value
    username = unique("uni") + "@example.com"
    params = {**customer_params(one_distributor.package, username=username), field: value}
    refused = is_refused(value, PROFILE_LIMITS[field])
    event("refused" if refused else "stored")
    if refused:
        with pytest.raises(Invalid) as raised:
            factory.run(customers.ADD, one_distributor, **params)
        assert_refused_on(raised.value, field)
        assert factory.customer_row(one_distributor, username) is None
        return
    factory.run(customers.ADD, one_distributor, **params)
    assert_stored(factory, one_distributor, username, field, value)


@SETTINGS
@given(field_value=field_values())
def test_profile_set_stores_any_text_or_names_the_field(
    factory: Factory,
    one_distributor: Distributor,
    one_customer: Account,
    field_value: tuple[str, str],
) -> None:
    field, value = field_value
    before = factory.customer_row(one_distributor, one_customer.username)
    params = {"method": "profile", "task": "set", "user": one_customer.username, field: value}
    refused = is_refused(value, PROFILE_LIMITS[field])
    event("refused" if refused else "stored")
    if refused:
        with pytest.raises(Invalid) as raised:
            factory.run(MANAGE, one_distributor, **params)
        assert_refused_on(raised.value, field)
        assert factory.customer_row(one_distributor, one_customer.username) == before
        return
    factory.run(MANAGE, one_distributor, **params)
    assert_stored(factory, one_distributor, one_customer.username, field, value)
