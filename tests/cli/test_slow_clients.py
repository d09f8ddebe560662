"""`denkdag serve`'s read time-outs: a request whose headers or body stall is closed after
its time-out, while an ordinary client still gets answers (uvicorn alone keeps a half-sent
request open for ever: slowloris)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from denkdag.cli.serve import server_options
from denkdag.cli.slow_clients import TimedHttp
from denkdag.config import Settings
from denkdag.web.app import create_app
from harness.servers import served

pytestmark = pytest.mark.anyio


class QuickTimedHttp(TimedHttp):
    """The same protocol with time-outs short enough for a test."""

    header_seconds = 0.5
    body_idle_seconds = 0.5


async def test_stalled_requests_are_closed_and_others_answered(settings: Settings) -> None:
    options = server_options(settings) | {"http": QuickTimedHttp, "lifespan": "on"}
    async with served(create_app(settings), **options) as base:
        host, port = base.removeprefix("http://").split(":")
        stalled = []
        for start in (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ",
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nusername=",
        ):
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(start)
            await writer.drain()
            stalled.append((reader, writer))
        async with httpx.AsyncClient(base_url=base) as ordinary:
            assert (await ordinary.get("/api/v1/openapi.json")).status_code == 200
        (headers, _), (body, _) = stalled
        assert await asyncio.wait_for(headers.read(), 10) == b""  # closed, nothing said
        await asyncio.wait_for(body.read(), 10)  # perhaps a refusal, then closed
        assert headers.at_eof() and body.at_eof()
        for _, writer in stalled:
            writer.close()
            await writer.wait_closed()
