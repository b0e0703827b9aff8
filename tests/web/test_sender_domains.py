"""A customer's sender domains on the dashboard (docs/dashboard.md, "Sender domains"):
shown on the customer page, edited in a box one domain per line through the API's
service (same rules, same messages, audited on the dashboard surface), refused beside
the box with nothing changed, and no change without the form's token."""

from __future__ import annotations

from collections.abc import Callable

from gridreseller.services.context import ServiceContext
from tests.factories import Account, Factory
from tests.web.test_customers import distributor_session, follow, last_event
from tests.web.webclient import WebClient, field_errors, notice

Web = Callable[[], WebClient]
PATH = "/dashboard/customer/senders"


def listed(factory: Factory, distributor: Account, username: str) -> str:
    row = factory.customer_row(distributor, username)
    assert row is not None
    return row["sender_domains"]


def test_the_customer_page_shows_and_saves_the_list(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    page = client.open("/dashboard/customer", user=customer.username)
    assert "Any sender address is allowed." in page.text
    assert f'action="{PATH}"' in page.text
    box = "Example.com\r\n*.mail.test, other.example\r\n\r\n"
    shown = follow(client, client.post(PATH, {"user": customer.username, "sender_domains": box}))
    assert notice(shown) == "The sender domains were saved."
    assert (
        "<code>example.com</code>, <code>*.mail.test</code>, <code>other.example</code>"
        in shown.text
    )
    assert ">example.com\n*.mail.test\nother.example</textarea>" in shown.text
    assert (
        listed(factory, distributor, customer.username) == "example.com,*.mail.test,other.example"
    )
    action, surface, actor, details = last_event(ctx, customer.username)
    assert (action, surface, actor) == (
        "customer.sender_domains",
        "dashboard",
        distributor.username,
    )
    assert details == {"sender_domains": ["example.com", "*.mail.test", "other.example"]}


def test_an_empty_box_allows_any_sender(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    client.post(PATH, {"user": customer.username, "sender_domains": "a.example"})
    shown = follow(client, client.post(PATH, {"user": customer.username, "sender_domains": " "}))
    assert "Any sender address is allowed." in shown.text
    assert listed(factory, distributor, customer.username) == ""


def test_a_bad_domain_is_refused_beside_the_box_and_nothing_changes(
    factory: Factory, web: Web
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    client.post(PATH, {"user": customer.username, "sender_domains": "kept.example"})
    client.open("/dashboard/customer", user=customer.username)
    typed = "good.example\n*.com"
    shown = client.post(PATH, {"user": customer.username, "sender_domains": typed})
    assert shown.status_code == 400
    assert field_errors(shown, "senders") == {
        "sender_domains": ["sender_domains[] must be a domain name or *. followed by one: '*.com'"]
    }
    assert ">good.example\n*.com</textarea>" in shown.text  # what was typed, to correct
    assert listed(factory, distributor, customer.username) == "kept.example"


def test_no_change_without_the_forms_token_nor_for_another_distributors_customer(
    factory: Factory, web: Web
) -> None:
    distributor, client = distributor_session(factory, web)
    customer = factory.customer(distributor)
    client.open("/dashboard/customer", user=customer.username)
    form = {"user": customer.username, "sender_domains": "x.example"}
    assert client.post(PATH, form, token="").status_code == 403
    assert client.post(PATH, form, token="forged").status_code == 403
    stranger = factory.customer(factory.distributor())
    assert client.post(PATH, {**form, "user": stranger.username}).status_code == 404
    assert listed(factory, distributor, customer.username) == ""
