"""profile get over more customers than one batch: streamed, complete, in username order,
with paging and filters applied across batch boundaries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gridreseller.services.context import ServiceContext
from tests.factories import Distributor, Factory
from tests.support import parse

pytestmark = pytest.mark.slow

CUSTOMERS = 620  # more than one streamed batch (500)
# One customer of the second batch has a company name that both formats must escape.
MARKED = 550
MARKED_COMPANY = 'A&B <"Co"> \\ Ltd'


@pytest.fixture(scope="module")
def crowded(ctx: ServiceContext, client: httpx.Client) -> tuple[Factory, Distributor, list[str]]:
    """A distributor with CUSTOMERS customers, every third one in Leeds."""
    factory = Factory(ctx, client)
    distributor = factory.distributor()

    def add(n: int) -> str:
        city = "Leeds" if n % 3 == 0 else "York"
        username = f"crowd{n:04d}-{distributor.username}@example.com"
        company = MARKED_COMPANY if n == MARKED else "Crowd Ltd"
        return factory.customer(distributor, username=username, city=city, company=company).username

    with ThreadPoolExecutor(8) as pool:
        usernames = list(pool.map(add, range(CUSTOMERS)))
    return factory, distributor, sorted(usernames)


def _list(factory: Factory, distributor: Distributor, fmt: str, **filters: str) -> list[str]:
    response = factory.call(
        "distributor.manage", fmt, distributor, method="profile", task="get", **filters
    )
    assert response.status_code == 200, response.text
    return [row["username"] for row in parse(response)]


def test_whole_list_is_streamed_in_order(
    crowded: tuple[Factory, Distributor, list[str]], fmt: str
) -> None:
    factory, distributor, usernames = crowded
    data = {**distributor.auth, "method": "profile", "task": "get"}
    url = f"/api/distributor.manage.{fmt}"
    with factory.client.stream("POST", url, data=data) as response:
        assert response.status_code == 200
        assert response.headers["transfer-encoding"] == "chunked"
        assert response.headers["x-content-type-options"] == "nosniff"
        chunks = list(response.iter_raw())
    assert len(chunks) > 1
    whole = httpx.Response(200, headers=response.headers, content=b"".join(chunks))
    rows = parse(whole)
    assert [row["username"] for row in rows] == usernames
    # Escaped in its batch, and only there: every other value reads back as stored.
    companies = [row["company"] for row in rows]
    assert companies[MARKED] == MARKED_COMPANY
    assert set(companies[:MARKED] + companies[MARKED + 1 :]) == {"Crowd Ltd"}


@pytest.mark.parametrize(("offset", "limit"), [(490, 20), (0, 600), (600, 100), (619, 5)])
def test_pages_across_batches(
    crowded: tuple[Factory, Distributor, list[str]], fmt: str, offset: int, limit: int
) -> None:
    factory, distributor, usernames = crowded
    page = _list(factory, distributor, fmt, offset=str(offset), limit=str(limit))
    assert page == usernames[offset : offset + limit]


def test_filtered_pages_across_batches(
    crowded: tuple[Factory, Distributor, list[str]], fmt: str
) -> None:
    factory, distributor, usernames = crowded
    leeds = [name for name in usernames if int(name[5:9]) % 3 == 0]
    assert _list(factory, distributor, fmt, city="leeds") == leeds
    assert (
        _list(factory, distributor, fmt, city="LEEDS", offset="150", limit="30") == leeds[150:180]
    )
