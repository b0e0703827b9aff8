"""mail.send's ceiling: plain Starlette that parses the same form, builds the same message
with the `email` package (gridreseller's own builder) and relays it to the same sink
over kept connections; no login, no database, no credits, no audit.

BENCH_SINK_PORT names the sink (127.0.0.1); BENCH_RELAY_CONNECTIONS how many
connections are kept (default 10, as GRIDRESELLER_RELAY_POOL_SIZE).
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import parse_qsl

import aiosmtplib
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gridreseller.api.legacy.mail_request import read_request
from gridreseller.api.legacy.params import Params
from gridreseller.messages.compose import compose
from gridreseller.services.context import utc_now

SUCCESS = b'{"message":"success"}'
SINK_PORT = int(os.environ.get("BENCH_SINK_PORT", "2525"))
CONNECTIONS = int(os.environ.get("BENCH_RELAY_CONNECTIONS", "10"))
_idle: asyncio.Queue[aiosmtplib.SMTP] | None = None


async def _pool() -> asyncio.Queue[aiosmtplib.SMTP]:
    global _idle  # noqa: PLW0603 - one pool per process, made on the server's loop
    if _idle is None:
        _idle = asyncio.Queue()
        for _ in range(CONNECTIONS):
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=SINK_PORT, start_tls=False)
            await client.connect()
            _idle.put_nowait(client)
    return _idle


async def send(request: Request) -> Response:
    body = await request.body()
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    mail = read_request(Params.from_pairs(pairs))
    idle = await _pool()
    for copy in compose(mail, utc_now()):
        client = await idle.get()
        try:
            await client.sendmail(mail.sender.address, list(copy.recipients), copy.content)
        finally:
            idle.put_nowait(client)
    return Response(SUCCESS, media_type="application/json")


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/healthz", healthz), Route("/{path:path}", send, methods=["POST"])])
