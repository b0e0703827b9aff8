"""End to end through a real nginx mail proxy (Debian's libnginx-mod-mail, docs/smtp.md,
nginx's mail proxy):
nginx asks a running `gridreseller serve` at /auth/mail and hands admitted sessions
to the upstream, here an aiosmtpd sink."""

from __future__ import annotations

import os
import shutil
import smtplib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gridreseller.mail.tls import self_signed_pair
from gridreseller.services import operator
from tests.conftest import new_database
from tests.factories import Account, Distributor, Factory
from tests.mail.support import (
    MESSAGE,
    Sink,
    auth_plain,
    client_tls,
    set_distributor_active,
)
from tests.support import container_for, free_port, serve_process

pytestmark = pytest.mark.slow
MAIL_MODULE = Path("/usr/lib/nginx/modules/ngx_mail_module.so")
SECRET = "nginx-and-gridreseller"

NGINX_CONF = """\
load_module {module};
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 64; }}
mail {{
    server_name mail.test;
    auth_http 127.0.0.1:{api_port}/auth/mail;
    auth_http_header X-Gridreseller-Secret {secret};
    proxy_pass_error_message on;
    ssl_certificate {directory}/cert.pem;
    ssl_certificate_key {directory}/key.pem;
    server {{
        listen 127.0.0.1:{port};
        protocol smtp;
        smtp_auth plain login;
        starttls only;
        xclient off;
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None or not MAIL_MODULE.exists():
        if os.environ.get("CI"):
            pytest.fail("nginx and libnginx-mod-mail are required in CI (.ci/run installs them)")
        pytest.skip("nginx with its mail module is not installed")
    return found


@dataclass
class Proxy:
    port: int
    factory: Factory
    distributor: Account


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=2).quit()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("nginx did not listen")


@pytest.fixture(scope="module")
def proxy(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sink: Sink,
) -> Iterator[Proxy]:
    """nginx in front of `serve` (both started once for the module) on a new database."""
    nginx = nginx_binary()
    tmp_path = tmp_path_factory.mktemp("nginx")
    database_url = new_database(backend, request)
    cert, key = self_signed_pair("127.0.0.1")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    container = container_for(database_url)
    operator.create_distributor(container.services, "proxied", "proxied-pass", "p@example.com")
    operator.create_package(container.services, "proxied", operator.PackageSpec(name="basic"))
    env = {
        "GRIDRESELLER_MAIL_AUTH_SECRET": SECRET,
        "GRIDRESELLER_MAIL_UPSTREAM": f"127.0.0.1:{sink.port}",
    }
    with serve_process(database_url, env=env) as (url, _process):
        port = free_port()
        api_port = url.rsplit(":", 1)[1]
        conf = NGINX_CONF.format(
            module=MAIL_MODULE, directory=tmp_path, api_port=api_port, secret=SECRET, port=port
        )
        (tmp_path / "nginx.conf").write_text(conf)
        log = tmp_path / "error.log"
        command = [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(log)]
        process = subprocess.Popen([*command, "-g", "daemon off;"], start_new_session=True)
        try:
            wait_for_port(port, process, log)
            with httpx.Client(base_url=url, timeout=30) as client:
                distributor = Account("proxied", "proxied-pass")
                factory = Factory(container.services, client)
                yield Proxy(port, factory, distributor)
        finally:
            process.terminate()
            process.wait(10)
            container.close()


def through_nginx(port: int) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    client.ehlo("client.example")
    assert not client.has_extn("auth")  # starttls only
    client.starttls(context=client_tls())
    client.ehlo("client.example")
    return client


def test_a_message_sent_through_nginx_reaches_the_sink(proxy: Proxy, delivered: Sink) -> None:
    owner = Distributor(proxy.distributor.username, proxy.distributor.password, "basic")
    customer = proxy.factory.customer(owner)
    with through_nginx(proxy.port) as client:
        assert client.login(customer.username, customer.password)[0] == 235
        assert client.sendmail("s@example.com", ["r@example.com"], MESSAGE) == {}
    (message,) = delivered.messages
    assert message.rcpt_tos == ["r@example.com"]
    assert message.content == MESSAGE


def test_a_wrong_password_gets_535_through_nginx(proxy: Proxy, delivered: Sink) -> None:
    with (
        through_nginx(proxy.port) as client,
        pytest.raises(smtplib.SMTPAuthenticationError) as refused,
    ):
        client.login(proxy.distributor.username, "wrong-pass")
    assert refused.value.smtp_code == 535
    assert refused.value.smtp_error == b"5.7.8 Bad username / password"
    assert delivered.messages == []


def test_a_login_that_may_not_send_gets_535_5_7_1_through_nginx(
    proxy: Proxy, delivered: Sink
) -> None:
    disabled = proxy.factory.distributor()
    set_distributor_active(proxy.factory.ctx, disabled, False)
    with through_nginx(proxy.port) as client:
        # nginx closes the connection after a refusal without Auth-Wait.
        answer = auth_plain(client, disabled.username, disabled.password)
    assert answer == (535, b"5.7.1 The login's distributor account is disabled")
    assert delivered.messages == []
