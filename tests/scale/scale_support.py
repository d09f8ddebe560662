"""Real servers for the scale tests: uvicorn in-process on a free port, SSE parsing."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
import pytest
import uvicorn
from fastapi import FastAPI


def need_service(reason: str) -> None:
    """tests/conftest.py's rule (not importable from here: several folders have a
    conftest): skip outside CI with the reason; in CI a missing service is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the service must be there)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` (lifespan included) on a free port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, str, Any]]:
    """(id, event, data) of each SSE message of a streaming response."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if not line:
            if "event" in fields:
                yield fields.get("id", ""), fields["event"], json.loads(fields["data"])
            fields = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            fields[key] = value


async def next_event(
    stream: AsyncIterator[tuple[str, str, Any]], name: str, timeout: float = 10
) -> tuple[str, str, Any]:
    async def find() -> tuple[str, str, Any]:
        async for item in stream:
            if item[1] == name:
                return item
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(find(), timeout)


async def aiohttp_events(response: aiohttp.ClientResponse) -> AsyncIterator[tuple[str, str, Any]]:
    """(id, event, data) of each SSE message of an aiohttp response."""
    fields: dict[str, str] = {}
    async for raw in response.content:
        line = raw.decode().rstrip("\r\n")
        if not line:
            if "event" in fields:
                yield fields.get("id", ""), fields["event"], json.loads(fields["data"])
            fields = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            fields[key] = value
