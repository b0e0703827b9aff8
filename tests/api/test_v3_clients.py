"""SendGrid's current clients, unchanged, against /v3 (docs/switching.md): PyPI
`sendgrid==6.12.5` and npm `@sendgrid/mail@8` with `@sendgrid/client`. Each is
installed by the test run itself, into a directory of its own, and run in a
subprocess; a client that cannot be installed fails its test. The guide's own code
blocks are what the first tests run."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.api.mail_support import MailServer
from tests.api.test_mail_clients import CACHE, _installed, _parsed, _run
from tests.api.v3_support import key_id, new_key
from tests.mail.support import Sink

pytestmark = pytest.mark.slow
PYTHON_CLIENT = "sendgrid==6.12.5"
NODE_CLIENTS = ("@sendgrid/mail@8", "@sendgrid/client@8")
GUIDE = Path(__file__).parents[2] / "docs" / "switching.md"


@pytest.fixture(scope="session")
def python_client() -> Path:
    target = CACHE / "python-sendgrid-6.12.5"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target)]
    return _installed(target, [*pip, PYTHON_CLIENT])


@pytest.fixture(scope="session")
def node_client() -> Path:
    prefix = CACHE / "node-sendgrid-mail-8"
    npm = ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix)]
    return _installed(prefix, [*npm, *NODE_CLIENTS])


def guide_block(language: str) -> str:
    """The guide's one code block in `language`."""
    [block] = re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    return str(block)


def test_the_guide_s_python_lines_send(
    python_client: Path, mail_server: MailServer, sink: Sink
) -> None:
    factory = mail_server.factory
    key = new_key(mail_server, factory.customer(factory.distributor()), scopes=["mail.send"])
    output = _run(
        [sys.executable, "-c", guide_block("python")],
        PYTHONPATH=str(python_client),
        SENDGRID_API_KEY=key,
        GRIDRESELLER_URL=mail_server.url,
    )
    assert output.strip() == "202"
    [delivered] = sink.messages
    assert (delivered.mail_from, delivered.rcpt_tos) == ("shop@example.com", ["ann@example.com"])
    assert _parsed(delivered.content)["Subject"] == "Your order"


def test_the_guide_s_node_lines_send(
    node_client: Path, mail_server: MailServer, sink: Sink
) -> None:
    factory = mail_server.factory
    key = new_key(mail_server, factory.customer(factory.distributor()), scopes=["mail.send"])
    output = _run(
        ["node", "-e", guide_block("js")],
        NODE_PATH=str(node_client / "node_modules"),
        SENDGRID_API_KEY=key,
        GRIDRESELLER_URL=mail_server.url,
    )
    assert output.strip() == "202"
    [delivered] = sink.messages
    message = _parsed(delivered.content)
    assert (message["To"], message["From"]) == ("ann@example.com", "shop@example.com")
    body = message.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "Thank you for your order."


PYTHON_SCRIPT = """
import base64, json, os, sys
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment, Disposition, FileContent, FileName, FileType, Mail,
)

sg = SendGridAPIClient(os.environ["SENDGRID_API_KEY"], host=os.environ["GRIDRESELLER_URL"])
message = Mail(
    from_email=("sender@example.com", "Python Six"),
    to_emails=[("ann@example.com", "Ann Example")],
    subject="From sendgrid 6",
    plain_text_content="Plain words.",
    html_content="<p>Rich words.</p>",
)
message.attachment = Attachment(
    FileContent(base64.b64encode(bytes(range(256))).decode()),
    FileName("data.bin"),
    FileType("application/octet-stream"),
    Disposition("attachment"),
)
sent = sg.send(message)
listed = sg.client.api_keys.get()
print(json.dumps({
    "status": sent.status_code,
    "body": sent.body.decode(),
    "message_id": sent.headers.get("X-Message-Id"),
    "keys_status": listed.status_code,
    "keys": json.loads(listed.body),
}))
"""


def test_the_python_client_sends_an_attachment_and_lists_keys(
    python_client: Path, mail_server: MailServer, sink: Sink
) -> None:
    factory = mail_server.factory
    customer = factory.customer(factory.distributor())
    key = new_key(mail_server, customer, "python")
    output = _run(
        [sys.executable, "-c", PYTHON_SCRIPT],
        PYTHONPATH=str(python_client),
        SENDGRID_API_KEY=key,
        GRIDRESELLER_URL=mail_server.url,
    )
    answer = json.loads(output)
    assert (answer["status"], answer["body"]) == (202, "")
    assert answer["message_id"]
    assert answer["keys_status"] == 200
    assert answer["keys"] == {"result": [{"name": "python", "api_key_id": key_id(key)}]}
    [delivered] = sink.messages
    message = _parsed(delivered.content)
    assert message["To"] == "Ann Example <ann@example.com>"
    assert message["From"] == "Python Six <sender@example.com>"
    assert f"id {answer['message_id']}" in message["Received"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "data.bin"
    assert attachment.get_payload(decode=True) == bytes(range(256))


PYTHON_ERROR_SCRIPT = """
import json, os
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail

sg = SendGridAPIClient(os.environ["SENDGRID_API_KEY"], host=os.environ["GRIDRESELLER_URL"])
try:
    sg.send(Mail(from_email="sender@example.com", to_emails="ann@example.com",
                 subject="x", plain_text_content="x"))
except HTTPError as error:
    print(json.dumps({"status": error.status_code, "body": json.loads(error.body)}))
"""


def test_the_python_client_reads_our_errors(
    python_client: Path, mail_server: MailServer, sink: Sink
) -> None:
    output = _run(
        [sys.executable, "-c", PYTHON_ERROR_SCRIPT],
        PYTHONPATH=str(python_client),
        SENDGRID_API_KEY="SG.not-a-key",
        GRIDRESELLER_URL=mail_server.url,
    )
    grant = "The provided authorization grant is invalid, expired, or revoked"
    assert json.loads(output) == {
        "status": 401,
        "body": {"errors": [{"field": None, "message": grant}]},
    }
    assert sink.messages == []


PYTHON_ON_BEHALF_SCRIPT = """
import os
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail

sg = SendGridAPIClient(
    os.environ["SENDGRID_API_KEY"],
    host=os.environ["GRIDRESELLER_URL"],
    impersonate_subuser=os.environ["CUSTOMER"],
)
sent = sg.send(Mail(from_email="shop@example.com", to_emails="ann@example.com",
                    subject="For a customer", plain_text_content="x"))
print(sent.status_code)
"""


def test_the_python_client_sends_on_behalf_of_a_customer(
    python_client: Path, mail_server: MailServer, sink: Sink
) -> None:
    """`impersonate_subuser` is the client's On-Behalf-Of: a distributor's key sends as
    its own customer (the Received header names the customer)."""
    factory = mail_server.factory
    distributor = factory.distributor()
    customer = factory.customer(distributor)
    output = _run(
        [sys.executable, "-c", PYTHON_ON_BEHALF_SCRIPT],
        PYTHONPATH=str(python_client),
        SENDGRID_API_KEY=new_key(mail_server, distributor),
        GRIDRESELLER_URL=mail_server.url,
        CUSTOMER=customer.username,
    )
    assert output.strip() == "202"
    [delivered] = sink.messages
    assert f"(authenticated login {customer.username})" in _parsed(delivered.content)["Received"]
