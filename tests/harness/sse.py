"""Reading Server-Sent Events from a streaming response, the way a browser's EventSource
does: fields up to a blank line make one message; lines starting with `:` (heartbeats)
are comments."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any, NamedTuple

import aiohttp
import httpx


class Event(NamedTuple):
    """One message: its `id`, its `name` (the `event:` field) and its decoded JSON data.

    A tuple, so `event_id, name, data = event` reads as the frame does."""

    id: str
    name: str
    data: Any


async def parse(lines: AsyncIterable[str]) -> AsyncIterator[Event]:
    """The messages of a stream of lines (without their line ends)."""
    fields: dict[str, str] = {}
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield Event(
                    fields.get("id", ""),
                    fields.get("event", "message"),
                    json.loads("\n".join(data)),
                )
            fields, data = {}, []
        elif not line.startswith(":"):
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "data":
                data.append(value)
            else:
                fields[key] = value


def events(response: httpx.Response) -> AsyncIterator[Event]:
    """The messages of an httpx streaming response."""
    return parse(response.aiter_lines())


def aiohttp_events(response: aiohttp.ClientResponse) -> AsyncIterator[Event]:
    """The messages of an aiohttp response (the burst tests open thousands of streams)."""

    async def lines() -> AsyncIterator[str]:
        async for raw in response.content:
            yield raw.decode().rstrip("\r\n")

    return parse(lines())


async def next_event(
    stream: AsyncIterator[Event],
    name: str,
    where: Callable[[Any], bool] | None = None,
    *,
    timeout: float = 30.0,
) -> Event:
    """The next message called `name` (whose data passes `where`, if given).

    The time-out guards against a hang; it fails the test with what was awaited."""

    async def find() -> Event:
        async for event in stream:
            if event.name == name and (where is None or where(event.data)):
                return event
        raise AssertionError(f"the stream ended before a `{name}` event")

    try:
        return await asyncio.wait_for(find(), timeout)
    except TimeoutError:
        raise AssertionError(f"no `{name}` event came in {timeout:g} s") from None
