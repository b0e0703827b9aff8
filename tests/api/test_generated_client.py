"""A client generated from /openapi.json by openapi-python-client imports, and every one
of its operations works against the live server (the document is meant for tools)."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import re
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import Distributor, Factory, customer_params, unique
from tests.support import Clock, ThreadServer, container_for

pytestmark = pytest.mark.slow
PACKAGE = "generated_gridreseller_client"
OPERATION = re.compile(r"(?P<call>.+)_(?P<fmt>json|xml)_(?P<verb>get|post)$")


@pytest.fixture(scope="module")
def relaying_server(
    database_url: str, clock: Clock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreadServer]:
    """The API on the shared database, relaying mail into a Maildir, so that mail.send
    succeeds too."""
    maildir = tmp_path_factory.mktemp("maildir")
    relay = f"maildir:{maildir / 'box'}"
    running = ThreadServer(container_for(database_url, clock, relay=relay))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client_package(
    relaying_server: ThreadServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[types.ModuleType]:
    """The generated package, importable for the length of this module."""
    work = tmp_path_factory.mktemp("generated")
    document = work / "openapi.json"
    document.write_text(httpx.get(f"{relaying_server.url}/openapi.json").text, encoding="utf-8")
    tool = Path(sys.executable).with_name("openapi-python-client")
    environment = {**os.environ, "PATH": f"{tool.parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [
            str(tool),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(work / PACKAGE),
        ],
        check=False,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work))


def operations(package: types.ModuleType) -> dict[str, types.ModuleType]:
    """Every generated operation module, by name (`distributor_add_json_post`...)."""
    api = importlib.import_module(f"{package.__name__}.api")
    found = {}
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(info.name)  # an import error fails the test here
        if hasattr(module, "sync_detailed"):
            found[info.name.rsplit(".", 1)[-1]] = module
    return found


def test_every_generated_module_imports(client_package: types.ModuleType) -> None:
    found = operations(client_package)
    assert len(found) == 9 * 2 * 2 + 1  # 9 calls x 2 formats x GET/POST, and /healthz


def test_every_operation_answers_through_the_generated_client(
    client_package: types.ModuleType, relaying_server: ThreadServer, factory: Factory
) -> None:
    http = client_package.Client(base_url=relaying_server.url)
    distributor = factory.distributor()
    answered: dict[str, int] = {}
    for name, module in sorted(operations(client_package).items()):
        if name == "healthz":
            answered[name] = module.sync_detailed(client=http).status_code
            continue
        match = OPERATION.fullmatch(name)
        assert match, name
        params = valid_params(match["call"], factory, distributor)
        send = post if match["verb"] == "post" else get
        response = send(module, http, params)
        answered[name] = response.status_code
        assert response.status_code == 200, (name, response.content[:300])
        if match["fmt"] == "json":
            assert response.parsed is not None, name  # the answer fits the documented schema
    assert len(answered) == 37


def valid_params(call: str, factory: Factory, distributor: Distributor) -> dict[str, Any]:
    """Parameters with which `call` succeeds, freshly made for this one request."""
    login = distributor.auth
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "distributor_add": lambda: customer_params(distributor.package),
        "distributor_delete": lambda: {"user": factory.customer(distributor).username},
        "distributor_manage": lambda: {"method": "profile", "task": "get", "limit": "5"},
        "distributor_packages": dict,
        "credentials_get": dict,
        "credentials_add": lambda: {"username": unique("gen"), "password": "generated-pass"},
        "credentials_edit": lambda: {
            "username": factory.credential(distributor).username,
            "api": "1",
        },
        "credentials_remove": lambda: {"username": factory.credential(distributor).username},
        "mail_send": lambda: {
            "to[]": ["ann@example.com"],
            "from": "news@example.com",
            "subject": "Hello",
            "text": "Hello.",
        },
    }
    return {**login, **makers[call]()}


def post(module: types.ModuleType, http: Any, params: dict[str, str]) -> Any:
    body_type = inspect.signature(module.sync_detailed).parameters["body"].annotation
    model = body_model(module, str(body_type), params)
    return module.sync_detailed(client=http, body=model.from_dict(params))


def body_model(module: types.ModuleType, annotation: str, params: dict[str, str]) -> Any:
    """The body's model class; for distributor.manage, the branch of profile get."""
    names = re.findall(r"[A-Z]\w*", annotation)
    wanted = "ProfileGet" if "method" in params else names[0]
    return getattr(module, wanted)


def get(module: types.ModuleType, http: Any, params: dict[str, str]) -> Any:
    accepted = inspect.signature(module.sync_detailed).parameters
    arguments: dict[str, Any] = {}
    for wire_name, value in params.items():
        name = wire_name.removesuffix("[]")  # `to[]` -> `to`
        python_name = name if name in accepted else f"{name}_"  # `zip` -> `zip_`
        kind = accepted[python_name].annotation
        arguments[python_name] = enum_value(module, str(kind), value)
    return module.sync_detailed(client=http, **arguments)


def enum_value(module: types.ModuleType, annotation: str, value: str) -> Any:
    """A generated enum's member where the parameter is one (e.g. `method`)."""
    for name in re.findall(r"[A-Z]\w*", annotation):
        kind = getattr(module, name, None)
        if isinstance(kind, type) and issubclass(kind, str) and kind is not str:
            return kind(value)
    return value


def test_document_is_json(relaying_server: ThreadServer) -> None:
    assert json.loads(httpx.get(f"{relaying_server.url}/openapi.json").text)["openapi"] == "3.0.3"
