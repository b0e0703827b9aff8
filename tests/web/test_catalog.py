"""A distributor's packages and IP groups in the dashboard: created, deleted and removed
under the operator's rules (a confirmation step first, refused while a customer uses
them, nothing changed by a refusal), audited on the dashboard surface as the
distributor; another distributor's answer like unknown ones; its credentials only look."""

from __future__ import annotations

from typing import Any

from gridreseller.services import audit
from gridreseller.services.context import ServiceContext
from gridreseller.services.operator import ip_addresses, packages
from tests.factories import Distributor, Factory, unique
from tests.web.test_customers import Web, distributor_session, follow, last_event
from tests.web.webclient import WebClient, all_errors, field_errors, notice, problem


def package_names(ctx: ServiceContext, distributor: Distributor) -> set[str]:
    return {row.name for row in packages(ctx, distributor.username)}


def addresses(ctx: ServiceContext, distributor: Distributor) -> set[tuple[str, str | None]]:
    return {(row.group, row.address) for row in ip_addresses(ctx, distributor.username)}


def post(client: WebClient, page: str, **fields: Any) -> Any:
    client.open(page)
    return client.post(page, fields)


def events_of(ctx: ServiceContext, target: str) -> int:
    return len([e for e in audit.events(ctx, None, None) if e.target == target])


# Packages -----------------------------------------------------------------------------


def test_a_distributor_creates_a_package(factory: Factory, web: Web, ctx: ServiceContext) -> None:
    distributor, client = distributor_session(factory, web)
    name = unique("gold")
    form = {"name": name, "price": "9.95", "credits": "500", "overage": "0.0015", "has_ip": "true"}
    shown = follow(client, post(client, "/dashboard/packages", change="create_package", **form))
    assert notice(shown) == "The package was created."
    assert f"<strong>{name}</strong>" in shown.text and "0.0015" in shown.text
    (row,) = [row for row in packages(ctx, distributor.username) if row.name == name]
    assert (str(row.price), row.credits, row.has_ip, row.has_reseller) == ("9.95", 500, True, False)
    action, surface, actor, details = last_event(ctx, name)
    assert (action, surface, actor) == ("package.create", "dashboard", distributor.username)
    assert details["credits"] == "500"


def test_a_refused_package_says_why_in_the_labels_words(factory: Factory, web: Web) -> None:
    distributor, client = distributor_session(factory, web)
    before = package_names(factory.ctx, distributor)
    form = {"name": "", "price": "cheap", "credits": "-1", "overage": "-2"}
    shown = post(client, "/dashboard/packages", change="create_package", **form)
    assert shown.status_code == 400 and str(shown.url).endswith("/dashboard/packages")
    assert field_errors(shown, "new_package") == {
        "name": ["“Name” must not be empty"],
        "credits": ["“Credits” must be a non-negative integer"],
    }
    assert 'value="cheap"' in shown.text  # what was sent, again
    taken = post(client, "/dashboard/packages", change="create_package", name=distributor.package)
    assert field_errors(taken, "new_package") == {
        "name": [f"“Name” is taken: you have a package {distributor.package!r}"]
    }
    amounts = post(client, "/dashboard/packages", change="create_package", name="x", price="cheap")
    assert field_errors(amounts, "new_package") == {"price": ["“Price” must be a number"]}
    assert package_names(factory.ctx, distributor) == before


def test_deleting_a_package_asks_first_and_is_refused_while_used(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    spare = factory.package(distributor)
    page = client.open("/dashboard/packages/delete", name=spare)
    assert f"Delete the package {spare}?" in page.text
    assert spare in package_names(ctx, distributor)  # nothing deleted by a GET
    shown = follow(
        client, client.post("/dashboard/packages", {"change": "delete_package", "name": spare})
    )
    assert notice(shown) == "The package was deleted."
    assert spare not in package_names(ctx, distributor)
    assert last_event(ctx, spare)[:3] == ("package.delete", "dashboard", distributor.username)
    customer = factory.customer(distributor)
    client.open("/dashboard/packages/delete", name=distributor.package)
    used = client.post(
        "/dashboard/packages", {"change": "delete_package", "name": distributor.package}
    )
    assert used.status_code == 400
    assert all_errors(used, "delete_package") == [
        f"package {distributor.package!r} is in use by 1 live customer ({customer.username})"
    ]
    assert distributor.package in package_names(ctx, distributor)


def test_another_distributors_package_is_like_an_unknown_one(factory: Factory, web: Web) -> None:
    _distributor, client = distributor_session(factory, web)
    stranger = factory.distributor()
    answers = []
    for name in (stranger.package, unique("nothing")):
        page = client.get("/dashboard/packages/delete", name=name)
        assert (page.status_code, problem(page)) == (404, "You have no package of that name.")
        client.open("/dashboard/packages")
        refused = client.post("/dashboard/packages", {"change": "delete_package", "name": name})
        answers.append((refused.status_code, all_errors(refused, "delete_package")))
    assert answers[0] == answers[1] == (400, ["“Package” must be the name of one of your packages"])
    assert stranger.package in package_names(factory.ctx, stranger)


def test_a_distributors_credential_sees_packages_and_ip_groups_but_changes_nothing(
    factory: Factory, web: Web
) -> None:
    distributor = factory.distributor()
    group = factory.ip_group(distributor, "198.51.100.81")
    helper = factory.credential(distributor, web=1)
    client = web()
    assert client.login(helper).status_code == 303
    listed = client.open("/dashboard/packages").text
    assert f"<strong>{distributor.package}</strong>" in listed and "New package" not in listed
    groups = client.open("/dashboard/ip-groups").text
    assert f"<strong>{group}</strong>" in groups and "Add addresses" not in groups
    refused = client.post("/dashboard/packages", {"change": "create_package", "name": "mine"})
    assert (refused.status_code, problem(refused)) == (403, "Your login may not use this page.")
    client.open("/dashboard/ip-groups")
    refused = client.post("/dashboard/ip-groups", {"change": "remove_group", "group": group})
    assert refused.status_code == 403
    page = client.get("/dashboard/packages/delete", name=distributor.package)
    assert page.status_code == 403
    assert package_names(factory.ctx, distributor) == {distributor.package}
    assert addresses(factory.ctx, distributor) == {(group, "198.51.100.81")}


# IP groups ----------------------------------------------------------------------------


def test_a_distributor_adds_and_removes_addresses_and_groups(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    group = unique("pool")
    sent = {"change": "add_ips", "group": group, "address": "203.0.113.5, 2001:db8::0:7"}
    shown = follow(client, post(client, "/dashboard/ip-groups", **sent))
    assert notice(shown) == "The addresses were added."
    assert "<code>2001:db8::7</code>" in shown.text
    assert addresses(ctx, distributor) == {(group, "203.0.113.5"), (group, "2001:db8::7")}
    assert last_event(ctx, group)[::3] == ("ip.add", {"addresses": ["203.0.113.5", "2001:db8::7"]})
    page = client.open("/dashboard/ip-groups/remove", address="203.0.113.5")
    assert "Remove the address 203.0.113.5?" in page.text
    form = {"change": "remove_ip", "address": "203.0.113.5"}
    shown = follow(client, client.post("/dashboard/ip-groups", form))
    assert notice(shown) == "The address was removed."
    assert addresses(ctx, distributor) == {(group, "2001:db8::7")}
    # Targeted at the distributor, like its logins' entries, which are written in
    # batches and may land after it.
    assert last_event(ctx, distributor.username, "ip.remove") == (
        "ip.remove",
        "dashboard",
        distributor.username,
        {"addresses": ["203.0.113.5"]},
    )
    client.open("/dashboard/ip-groups/remove", group=group)
    shown = follow(
        client, client.post("/dashboard/ip-groups", {"change": "remove_group", "group": group})
    )
    assert notice(shown) == "The IP group was removed."
    assert addresses(ctx, distributor) == set()
    assert last_event(ctx, group)[::3] == ("ip_group.remove", {"addresses": ["2001:db8::7"]})


def test_refused_ip_changes_say_why_and_change_nothing(
    factory: Factory, web: Web, ctx: ServiceContext
) -> None:
    distributor, client = distributor_session(factory, web)
    stranger = factory.distributor()
    theirs = factory.ip_group(stranger, "203.0.113.90")
    mine = factory.ip_group(distributor, "203.0.113.91")
    factory.customer(distributor, **{"ip_group[]": mine})
    before, events = addresses(ctx, distributor), events_of(ctx, mine)
    bad = post(client, "/dashboard/ip-groups", change="add_ips", group=mine, address="300.1.1.1")
    assert bad.status_code == 400
    assert all_errors(bad, "add_ips") == ["not a valid IP address: '300.1.1.1'"]
    assert 'value="300.1.1.1"' in bad.text
    empty = post(client, "/dashboard/ip-groups", change="add_ips", group="", address="")
    assert field_errors(empty, "add_ips") == {
        "group": ["“Group” must not be empty"],
        "address": ["“Addresses” must not be empty"],
    }
    used = post(client, "/dashboard/ip-groups", change="remove_group", group=mine)
    assert (
        used.status_code == 400
        and "is in use by 1 live customer" in all_errors(used, "remove_group")[0]
    )
    for group in (theirs, unique("nothing")):
        page = client.get("/dashboard/ip-groups/remove", group=group)
        assert (page.status_code, problem(page)) == (
            404,
            "You have no IP group or address of that name.",
        )
        refused = post(client, "/dashboard/ip-groups", change="remove_group", group=group)
        assert all_errors(refused, "remove_group") == [
            "“Group” must be the name of one of your IP groups"
        ]
    for address in ("203.0.113.90", "203.0.113.99"):
        refused = post(client, "/dashboard/ip-groups", change="remove_ip", address=address)
        assert all_errors(refused, "remove_ip") == ["“Address” must be one of your IP addresses"]
    assert addresses(ctx, distributor) == before and events_of(ctx, mine) == events
    assert addresses(ctx, stranger) == {(theirs, "203.0.113.90")}
