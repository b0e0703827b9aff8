"""PostgreSQL stopped under a running dashboard: 503 pages, never a traceback, and the
session goes on once the database is back (an outage logs nobody out)."""

from __future__ import annotations

import pytest

from gridreseller.services import operator
from gridreseller.web import messages
from tests.factories import Account
from tests.postgres import PostgresCluster
from tests.support import ThreadServer, container_for
from tests.web.webclient import WebClient, problem

pytestmark = pytest.mark.slow
LOGIN = Account("outage-web", "outage-pass")


def test_an_outage_gives_503_pages_and_keeps_sessions(own_cluster: PostgresCluster) -> None:
    container = container_for(own_cluster.create_database())
    operator.create_distributor(container.services, LOGIN.username, LOGIN.password, "o@x.org")
    server = ThreadServer(container)
    server.start()
    try:
        client = WebClient(server.url)
        assert client.login(LOGIN).status_code == 303
        client.open("/dashboard/credentials")
        token = client.token()
        own_cluster.stop()
        down = client.get("/dashboard/customers")
        assert down.status_code == 503
        assert down.headers["retry-after"] == "1"
        assert problem(down) == messages.UNAVAILABLE
        form = {"username": "c", "password": "p" * 8}
        posted = client.post("/dashboard/credentials/add", form, token=token)
        assert posted.status_code == 503
        newcomer = WebClient(server.url)
        newcomer.open("/dashboard/login")  # the form's key is kept in memory
        refused = newcomer.post("/dashboard/login", {"username": "x", "password": "y"})
        assert refused.status_code == 503
        own_cluster.start()
        client.open("/dashboard/customers")  # the same session, still live
    finally:
        server.stop()
