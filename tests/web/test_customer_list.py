"""The dashboard's customer list (docs/dashboard.md): substring search over username,
contact email and company; sortable columns; the number found; numbered pages."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import httpx

from gridreseller.services.customer_search import CustomerListQuery, CustomerPage
from gridreseller.web.views.customer_list import Listing
from tests.factories import Distributor, Factory, unique
from tests.web.webclient import WebClient, all_errors, field_errors

Web = Callable[[], WebClient]
LISTED = re.compile(
    r'<td data-label="Username"><a href="/dashboard/customer\?user=[^"]*">([^<]*)</a>'
)
COUNT = re.compile(r'<p class="count" role="status">\s*(.*?)\s*</p>', re.S)
PAGE_LINKS = re.compile(
    r'<a class="button (?:secondary|current)" href="([^"]*)"[^>]*aria-label="Page (\d+)"'
)


def listed(response: httpx.Response) -> list[str]:
    return [html.unescape(name) for name in LISTED.findall(response.text)]


def count(response: httpx.Response) -> str:
    found = COUNT.search(response.text)
    assert found, response.text[:2000]
    return " ".join(html.unescape(found.group(1)).split())


def session(factory: Factory, web: Web) -> tuple[Distributor, WebClient]:
    distributor = factory.distributor()
    client = web()
    assert client.login(distributor).status_code == 303
    return distributor, client


def test_search_finds_part_of_a_username_email_or_company_in_any_case(
    factory: Factory, web: Web
) -> None:
    distributor, client = session(factory, web)
    tag = unique("s").replace("-", "")
    by_username = factory.customer(distributor, username=f"alice.{tag}@example.com").username
    by_email = factory.customer(
        distributor, username=f"bob.{tag}@example.com", email=f"ALICE-{tag}@billing.example"
    ).username
    by_company = factory.customer(
        distributor, username=f"carol.{tag}@example.com", company=f"Malice {tag} Ltd"
    ).username
    factory.customer(distributor, username=f"dave.{tag}@example.com")
    other = factory.distributor()
    factory.customer(other, username=f"alice.{tag}@elsewhere.example")  # not this tenant's
    gone = factory.customer(distributor, username=f"alice.gone.{tag}@example.com")
    factory.call("distributor.delete", "json", distributor, user=gone.username)
    for text in (f"alice.{tag}", f"ALICE.{tag.upper()}", f"Alice.{tag}"):
        assert listed(client.open("/dashboard/customers", search=text)) == [by_username]
    found = client.open("/dashboard/customers", search="alice", sort="username")
    assert listed(found) == sorted([by_username, by_email, by_company])
    assert count(found) == "3 customers found · showing 1\N{EN DASH}3"
    assert 'value="alice"' in found.text  # the search box keeps the text
    nothing = client.open("/dashboard/customers", search="no-such-text")
    assert listed(nothing) == [] and "No customers match this search." in nothing.text


def test_percent_underscore_and_backslash_match_themselves(factory: Factory, web: Web) -> None:
    distributor, client = session(factory, web)
    tag = unique("w").replace("-", "")
    underscored = factory.customer(distributor, username=f"first_last.{tag}@example.com").username
    factory.customer(distributor, username=f"firstxlast.{tag}@example.com")
    percent = factory.customer(distributor, company=f"50% Off {tag}").username
    factory.customer(distributor, company=f"500 Club {tag}")
    backslash = factory.customer(distributor, company=f"Back\\slash {tag}").username
    factory.customer(distributor, company=f"Backslash {tag}")
    assert listed(client.open("/dashboard/customers", search="t_l")) == [underscored]
    assert listed(client.open("/dashboard/customers", search=f"50% Off {tag}")) == [percent]
    assert listed(client.open("/dashboard/customers", search="50%")) == [percent]
    assert listed(client.open("/dashboard/customers", search="k\\s")) == [backslash]


def test_columns_sort_both_ways_with_ties_in_the_order_added(factory: Factory, web: Web) -> None:
    distributor, client = session(factory, web)
    added = [
        factory.customer(distributor, username=f"{letter}{unique()}@example.com", company=company)
        for letter, company in (("c", "beta"), ("a", "Alpha"), ("b", "beta"), ("d", "Gamma"))
    ]
    names = [customer.username for customer in added]
    by_company = client.open("/dashboard/customers", sort="company")
    assert listed(by_company) == [names[1], names[0], names[2], names[3]]  # any case; ties: id
    assert '<th scope="col" aria-sort="ascending"><a class="sort"' in by_company.text
    assert 'href="/dashboard/customers?sort=company&amp;dir=desc"' in by_company.text
    backwards = client.open("/dashboard/customers", sort="company", dir="desc")
    assert listed(backwards) == [names[3], names[2], names[0], names[1]]
    assert listed(client.open("/dashboard/customers")) == sorted(names)
    assert listed(client.open("/dashboard/customers", dir="desc")) == sorted(names, reverse=True)


def test_pages_are_numbered_and_counted(factory: Factory, web: Web) -> None:
    distributor, client = session(factory, web)
    names = sorted(
        factory.customer(distributor, username=f"p{n:02d}-{unique()}@example.com").username
        for n in range(53)
    )
    first = client.open("/dashboard/customers")
    assert listed(first) == names[:50]
    assert count(first) == "53 customers · showing 1\N{EN DASH}50"
    assert PAGE_LINKS.findall(first.text) == [
        ("/dashboard/customers", "1"),
        ("/dashboard/customers?page=2", "2"),
    ]
    assert 'rel="next" href="/dashboard/customers?page=2"' in first.text
    assert 'rel="prev"' not in first.text
    second = client.open("/dashboard/customers", page="2", sort="username")
    assert listed(second) == names[50:]
    assert count(second) == "53 customers · showing 51\N{EN DASH}53"
    assert 'rel="prev" href="/dashboard/customers"' in second.text
    assert 'rel="next"' not in second.text
    assert 'aria-current="page" aria-label="Page 2"' in second.text
    past_the_end = client.open("/dashboard/customers", page="9")  # the last page instead
    assert listed(past_the_end) == names[50:]
    far_past_the_end = client.open("/dashboard/customers", page="9" * 18)
    assert listed(far_past_the_end) == names[50:]
    searched_past_the_end = client.open("/dashboard/customers", search="-", page="9")
    assert listed(searched_past_the_end) == names[50:]
    assert count(searched_past_the_end) == "53 customers found · showing 51\N{EN DASH}53"
    searched = client.open("/dashboard/customers", search="p0", dir="desc")
    assert 'class="pager"' not in searched.text  # one page: no page links
    assert count(searched) == "10 customers found · showing 1\N{EN DASH}10"


def test_page_links_keep_the_search_and_order_and_skip_far_pages() -> None:
    query = CustomerListQuery("a&b", False, "company", "desc", 10)
    listing = Listing(CustomerPage(query, [], 1000, 10, 20, 50))
    numbers = [link.number for link in listing.numbers()]
    assert numbers == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert listing.to_page(11) == (
        "/dashboard/customers?search=a%26b&active=false&sort=company&dir=desc&page=11"
    )
    assert listing.sort_link("company") == (
        "/dashboard/customers?search=a%26b&active=false&sort=company"
    )


def test_a_bad_query_is_told_beside_its_field(factory: Factory, web: Web) -> None:
    _distributor, client = session(factory, web)
    bad = client.get(
        "/dashboard/customers",
        sort="password",
        dir="up",
        page="0",
        active="maybe",
        search="x" * 101,
    )
    assert bad.status_code == 400
    assert field_errors(bad, "list") == {
        "search": ["“Search” must be no more than 100 characters"],
        "active": ["“Sending” must be true, false, 1 or 0"],
        "sort": ["“Sort by” must be one of username, email, name, company, package"],
        "dir": ["“Order” must be one of asc, desc"],
    }
    assert "page must be a positive integer" in all_errors(bad, "list")
