"""PostgreSQL stopped under the mail surface: AUTH 454 4.3.0, MAIL FROM 451 4.3.0,
/auth/mail 454 4.3.0 (never OK); all of it recovers without a restart."""

from __future__ import annotations

import httpx
import pytest

from gridreseller.services import operator
from tests.mail.support import MESSAGE, Sink, SmtpThread, auth_plain, connect
from tests.postgres import PostgresCluster
from tests.support import ThreadServer, container_for

pytestmark = pytest.mark.slow
SECRET = "outage-secret"


def ask(url: str, password: str) -> dict[str, str]:
    headers = {
        "X-Gridreseller-Secret": SECRET,
        "Auth-Method": "plain",
        "Auth-User": "outage",
        "Auth-Pass": password,
        "Auth-Protocol": "smtp",
        "Auth-Login-Attempt": "1",
        "Client-IP": "192.0.2.1",
    }
    response = httpx.get(f"{url}/auth/mail", headers=headers, timeout=30)
    assert response.status_code == 200
    return {k: v for k, v in response.headers.items() if k.startswith("auth-")}


def test_a_database_outage_is_a_temporary_refusal_everywhere(
    own_cluster: PostgresCluster, sink: Sink, delivered: Sink
) -> None:
    container = container_for(
        own_cluster.create_database(), mail_auth_secret=SECRET, mail_upstream="127.0.0.1:25"
    )
    operator.create_distributor(container.services, "outage", "outage-pass", "o@example.com")
    api, smtp = ThreadServer(container), SmtpThread(container, sink.port)
    api.start()
    smtp.start()
    try:
        with connect(smtp.port) as open_session:
            assert auth_plain(open_session, "outage", "outage-pass")[0] == 235
            own_cluster.stop()
            with connect(smtp.port) as client:
                assert auth_plain(client, "outage", "outage-pass") == (
                    454,
                    b"4.3.0 Temporarily unavailable; try again later",
                )
            assert open_session.docmd("MAIL", "FROM:<s@example.com>") == (
                451,
                b"4.3.0 Cannot check the right to send now; try again later",
            )
            for password in ("outage-pass", "wrong"):
                assert ask(api.url, password) == {
                    "auth-status": "Temporarily unavailable; try again later",
                    "auth-error-code": "454 4.3.0",
                }
            own_cluster.start()
            assert open_session.sendmail("s@example.com", ["r@example.com"], MESSAGE) == {}
        assert ask(api.url, "outage-pass")["auth-status"] == "OK"
    finally:
        smtp.stop()
        api.stop()
        container.close()
    assert len(delivered.messages) == 1
