"""Load generators: wrk for throughput, aiohttp for streams and scheduled requests."""

from __future__ import annotations

import asyncio
import json
import random
import re
import subprocess
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import aiohttp

WRK = "/usr/bin/wrk"
LUA = Path(__file__).with_name("vote.lua")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def wrk(
    base: str, tokens: Path, code: str, seconds: float, connections: int
) -> dict[str, Any]:
    """Run wrk with the vote script; its summary as a dict (requests/s added)."""
    command = [
        WRK,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "-s",
        str(LUA),
        base,
        "--",
        str(tokens),
        code,
    ]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output, _ = await process.communicate()
    text = output.decode()
    match = re.search(r"^BENCH (\{.*\})$", text, re.MULTILINE)
    if match is None:
        raise RuntimeError("wrk said:\n" + text)
    result: dict[str, Any] = json.loads(match.group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


@dataclass
class Subscriber:
    """One SSE connection; arrival times of each event, by name."""

    arrivals: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    failed: str | None = None

    async def run(self, client: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> None:
        try:
            async with client.get(url, headers=headers) as response:
                if response.status != 200:
                    self.failed = f"HTTP {response.status}"
                    self.ready.set()
                    return
                # Whole chunks, split into events here, rather than one awaited readline
                # per line: with 10,000 streams on one machine the client's own parsing
                # would otherwise be what delays the arrival times it measures.
                buffer = b""
                async for chunk in response.content.iter_any():
                    arrived = time.monotonic()
                    *complete, buffer = (buffer + chunk).split(b"\n\n")
                    for message in complete:
                        event_id, name = "", ""
                        for line in message.split(b"\n"):
                            if line.startswith(b"id: "):
                                event_id = line[4:].strip().decode()
                            elif line.startswith(b"event: "):
                                name = line[7:].strip().decode()
                        if name:
                            self.arrivals.setdefault(name, []).append((event_id, arrived))
                    self.ready.set()
        except (TimeoutError, aiohttp.ClientError, RuntimeError) as error:
            # RuntimeError: aiohttp's "Connection closed." when the run ends and closes it
            self.failed = self.failed or repr(error)
            self.ready.set()


async def subscribe(
    client: aiohttp.ClientSession,
    url: str,
    headers: list[dict[str, str]],
    batch: int = 250,
) -> tuple[list[Subscriber], list[asyncio.Task[None]]]:
    """Open one stream per headers entry, a batch at a time; wait until each is live."""
    subscribers: list[Subscriber] = []
    tasks: list[asyncio.Task[None]] = []
    for start in range(0, len(headers), batch):
        chunk = [Subscriber() for _ in headers[start : start + batch]]
        for subscriber, header in zip(chunk, headers[start : start + batch], strict=True):
            tasks.append(asyncio.create_task(subscriber.run(client, url, header)))
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in chunk)), 60)
        subscribers += chunk
    return subscribers, tasks


async def at_rate(
    count: int,
    seconds: float,
    action: Callable[[int], Coroutine[Any, Any, None]],
    jitter: bool = True,
) -> None:
    """Start `action(i)` for i in range(count), spread evenly (or randomly) over `seconds`."""
    started = time.monotonic()
    offsets = (
        sorted(random.uniform(0, seconds) for _ in range(count))
        if jitter
        else [i * seconds / count for i in range(count)]
    )
    tasks: list[asyncio.Task[None]] = []
    for index, offset in enumerate(offsets):
        delay = started + offset - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(action(index)))
    await asyncio.gather(*tasks)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(values, 50) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "n": len(values),
    }


def med(values: list[float]) -> float:
    return median(values) if values else float("nan")
