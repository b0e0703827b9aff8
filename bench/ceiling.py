"""The ceiling: plain Starlette that parses the form and returns fixed JSON."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FIXED = b'{"message":"success"}\n'  # the same bytes as gridreseller's answer


async def endpoint(request: Request) -> Response:
    body = await request.body()
    dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return Response(FIXED, media_type="application/json")


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(
    routes=[Route("/healthz", healthz), Route("/{path:path}", endpoint, methods=["GET", "POST"])]
)
