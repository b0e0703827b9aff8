"""The legacy clients, unchanged, against mail.send (docs/api.md): PyPI `sendgrid==1.6.22`
(urlencoded, `to[]`, files as raw bytes, always a `date`) and npm `sendgrid@1.9.2`
(multipart, recipients in x-smtpapi `to`). Each is installed by the test run itself,
into a directory of its own; a client that cannot be installed fails its test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.api.mail_support import MailServer, sent_entries
from tests.mail.support import Sink

pytestmark = pytest.mark.slow
PYTHON_CLIENT = "sendgrid==1.6.22"
NODE_CLIENT = "sendgrid@1.9.2"
# Kept between runs: installing takes longer than the tests.
CACHE = Path(tempfile.gettempdir()) / "gridreseller-test-clients"


def _installed(directory: Path, command: list[str]) -> Path:
    """`directory` once `command` has installed into it (a marker file says it did)."""
    marker = directory / ".installed"
    if not marker.exists():
        directory.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
        marker.write_text(" ".join(command), encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def python_client() -> Path:
    target = CACHE / "python-sendgrid-1.6.22"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target)]
    return _installed(target, [*pip, PYTHON_CLIENT])


@pytest.fixture(scope="session")
def node_client() -> Path:
    prefix = CACHE / "node-sendgrid-1.9.2"
    npm = ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix)]
    return _installed(prefix, [*npm, NODE_CLIENT])


def _run(command: list[str], **env: str) -> str:
    result = subprocess.run(
        command,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _parsed(content: bytes) -> EmailMessage:
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


PYTHON_SCRIPT = """
import json, sys
import sendgrid

user, password, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = sendgrid.SendGridClient(
    user, password, host="http://127.0.0.1", port=port, raise_errors=True
)
message = sendgrid.Mail()
message.add_to("Ann Example <ann@example.com>")
message.add_cc("cat@example.com")
message.add_bcc("hidden@example.com")
message.set_from("sender@example.com")
message.set_from_name("The Sender")
message.set_replyto("replies@example.com")
message.set_subject("From the 1.x client")
message.set_text("Plain words.")
message.set_html("<p>Rich words.</p>")
message.add_attachment_stream("data.bin", bytes(range(256)))
message.add_category("legacy-python")
status, body = client.send(message)
print(json.dumps({"status": status, "body": body.decode()}))
"""


def test_the_python_1x_client_sends(
    python_client: Path, mail_server: MailServer, sink: Sink
) -> None:
    factory = mail_server.factory
    customer = factory.customer(factory.distributor())
    port = mail_server.url.rsplit(":", 1)[1]
    output = _run(
        [sys.executable, "-c", PYTHON_SCRIPT, customer.username, customer.password, port],
        PYTHONPATH=str(python_client),
    )
    answer = json.loads(output)
    assert answer["status"] == 200
    assert json.loads(answer["body"]) == {"message": "success"}
    [delivered] = sink.messages
    assert delivered.mail_from == "sender@example.com"
    assert delivered.rcpt_tos == ["ann@example.com", "cat@example.com", "hidden@example.com"]
    message = _parsed(delivered.content)
    assert message["To"] == "Ann Example <ann@example.com>"
    assert message["Cc"] == "cat@example.com"
    assert message["Bcc"] is None
    assert message["From"] == "The Sender <sender@example.com>"
    assert message["Reply-To"] == "replies@example.com"
    assert message["Subject"] == "From the 1.x client"
    body = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert body is not None and body.get_content().strip() == "Plain words."
    assert html is not None and html.get_content().strip() == "<p>Rich words.</p>"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "data.bin"
    assert attachment.get_payload(decode=True) == bytes(range(256))
    [entry] = sent_entries(mail_server, customer, 1)
    assert entry.details["categories"] == ["legacy-python"]


NODE_SCRIPT = """
// `node -e SCRIPT USER PASSWORD PORT`: the last three arguments.
const [user, password, port] = process.argv.slice(-3);
const sendgrid = require("sendgrid")(user, password, {
  protocol: "http", host: "127.0.0.1", port: port,
});
const email = new sendgrid.Email({
  to: ["ann@example.com"],
  toname: ["Ann Example"],
  from: "sender@example.com",
  fromname: "Node Sender",
  subject: "From the Node client",
  text: "Hello from node.",
  html: "<p>Hello from node.</p>",
});
email.addCategory("legacy-node");
email.addFile({filename: "notes.txt", content: Buffer.from("some notes\\n")});
sendgrid.send(email, function (error, json) {
  if (error) { console.log(JSON.stringify({error: String(error)})); process.exit(0); }
  console.log(JSON.stringify(json));
});
"""


def test_the_node_1x_client_sends(node_client: Path, mail_server: MailServer, sink: Sink) -> None:
    factory = mail_server.factory
    customer = factory.customer(factory.distributor())
    port = mail_server.url.rsplit(":", 1)[1]
    output = _run(
        ["node", "-e", NODE_SCRIPT, customer.username, customer.password, port],
        NODE_PATH=str(node_client / "node_modules"),
    )
    assert json.loads(output) == {"message": "success"}
    [delivered] = sink.messages
    assert delivered.rcpt_tos == ["ann@example.com"]
    message = _parsed(delivered.content)
    assert message["To"] == "Ann Example <ann@example.com>"
    assert message["From"] == "Node Sender <sender@example.com>"
    assert message["Subject"] == "From the Node client"
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_payload(decode=True)) == (
        "notes.txt",
        b"some notes\n",
    )


def test_the_node_client_reports_the_first_error(
    node_client: Path, mail_server: MailServer, sink: Sink
) -> None:
    """It reads `errors[0]` of any answer but success: ours names the problem."""
    port = mail_server.url.rsplit(":", 1)[1]
    output = _run(
        ["node", "-e", NODE_SCRIPT, "nobody-here", "wrong-pass", port],
        NODE_PATH=str(node_client / "node_modules"),
    )
    assert json.loads(output) == {"error": "Error: Bad username / password"}
    assert sink.messages == []
