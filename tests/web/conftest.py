"""Dashboard fixtures: a browser-like client per test against the shared server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import ThreadServer
from tests.web.webclient import WebClient


@pytest.fixture
def web(server: ThreadServer) -> Callable[[], WebClient]:
    """Make a new client (a browser with no cookies yet) of the shared server."""
    return lambda: WebClient(server.url)
