"""A plenary behind one venue address: N phones join within 10 s from one client address
(a venue's NAT), each opens its live stream, the facilitator changes slides, every phone
votes; the same run from 50 loopback addresses (127.0.0.10-59) beside it.

The server runs with its default limits (`DENKDAG_RATE_LIMITS` on): the scenario measures
whether the limits let a whole room in, not the server with its limits lifted. Targets:
all joined within 10 s, no refused join or stream, every phone sees every slide change and
the final count, the same from one address as from fifty.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import at_rate, summary
from bench.scenarios import Context, Row, api, bearer, row, say
from bench.servers import Process, Room, fresh_sqlite, make_room

SLIDES = ("s7", "s4")
"""The slide changes of the run; s4 is the question every phone then answers."""
JOIN_WINDOW = 9.0
"""Seconds over which the phones arrive; the target is every join answered within 10 s."""


@dataclass
class Phone:
    """One phone: its join, its stream, the slides and the latest count its stream showed."""

    token: str = ""
    joined_at: float | None = None
    join_status: int | None = None
    stream_status: int | None = None
    slides: list[tuple[str, float]] = field(default_factory=list)
    respondents: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def follow(self, http: aiohttp.ClientSession, url: str, token: str) -> None:
        try:
            async with http.get(url, headers=bearer(token)) as response:
                self.stream_status = response.status
                if response.status != 200:
                    return
                buffer = b""
                async for chunk in response.content.iter_any():
                    arrived = time.monotonic()
                    *complete, buffer = (buffer + chunk).split(b"\n\n")
                    for message in complete:
                        self._read(message, arrived)
                    self.ready.set()
        except (TimeoutError, aiohttp.ClientError, RuntimeError):
            pass  # the run closed its client, or the server went away
        finally:
            self.ready.set()

    def _read(self, message: bytes, arrived: float) -> None:
        name, data = b"", b""
        for line in message.split(b"\n"):
            if line.startswith(b"event: "):
                name = line[7:].strip()
            elif line.startswith(b"data: "):
                data = line[6:]
        if name == b"state":
            self.slides.append((json.loads(data)["current_slide"], arrived))
        elif name == b"tally":
            tally = json.loads(data)
            if tally.get("slide") == "s4":
                self.respondents = max(self.respondents, int(tally["respondents"]))


def limited_denkdag(room: Room, log: Path) -> Process:
    """Denkdag as an operator runs it: default limits, streams total raised for the run."""
    env = {"DENKDAG_DATABASE_URL": room.database_url, "DENKDAG_STREAMS_TOTAL": "1000000"}
    return Process([sys.executable, "-m", "denkdag", "serve", "--port", "{port}"], env, log)


async def _until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def _run(ctx: Context, phones: int, addresses: list[str]) -> dict[str, Any]:
    room = await make_room(fresh_sqlite(ctx.directory), 0)
    server = limited_denkdag(room, ctx.log(f"plenary-{len(addresses)}"))
    clients = [
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, local_addr=(address, 0)),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
        )
        for address in addresses
    ]
    crowd = [Phone() for _ in range(phones)]
    streams: list[asyncio.Task[None]] = []
    voted: Counter[int] = Counter()
    try:
        await server.ready(f"/api/v1/sessions/{room.code}")
        events = api(server, room, "/events")
        started = time.monotonic()

        async def arrive(index: int) -> None:
            phone, http = crowd[index], clients[index % len(clients)]
            try:
                async with http.post(api(server, room, "/participants")) as reply:
                    phone.join_status = reply.status
                    body = await reply.json() if reply.status == 201 else {}
            except aiohttp.ClientError:
                phone.join_status = 0
                return
            if phone.join_status != 201:
                return
            phone.joined_at = time.monotonic() - started
            phone.token = body["participant_token"]
            streams.append(asyncio.create_task(phone.follow(http, events, phone.token)))
            await asyncio.wait_for(phone.ready.wait(), 60)

        await at_rate(phones, JOIN_WINDOW, arrive)
        live = [p for p in crowd if p.stream_status == 200]
        say(f"{len(addresses)} address(es): {len(live)} of {phones} phones live")
        latencies: list[float] = []
        missed = 0
        async with aiohttp.ClientSession() as facilitator:
            for slide in SLIDES:
                sent = time.monotonic()
                async with facilitator.post(
                    api(server, room, "/control"),
                    json={"action": "goto", "slide": slide},
                    headers=bearer(room.facilitator),
                ) as reply:
                    assert reply.status == 200, await reply.text()

                def seen(phone: Phone, slide: str = slide, sent: float = sent) -> float | None:
                    return next((at for s, at in phone.slides if s == slide and at >= sent), None)

                await _until(lambda: all(seen(p) is not None for p in live), 60)
                arrivals = [seen(p) for p in live]
                latencies += [at - sent for at in arrivals if at is not None]
                missed += sum(1 for at in arrivals if at is None)

            async def vote(index: int) -> None:
                try:
                    async with clients[index % len(clients)].put(
                        api(server, room, "/slides/s4/response"),
                        json={"value": "abc"[index % 3]},
                        headers=bearer(live[index].token),
                    ) as reply:
                        voted[reply.status] += 1
                except aiohttp.ClientError:
                    voted[0] += 1  # a connection the loaded machine dropped

            await at_rate(len(live), JOIN_WINDOW, vote)
            await _until(lambda: all(p.respondents == voted[200] for p in live), 60)
    finally:
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        for http in clients:
            await http.close()
        server.stop()
    joined = [p.joined_at for p in crowd if p.joined_at is not None]
    return {
        "joined": len(joined),
        "join_seconds": max(joined) if joined else float("nan"),
        "join_refused": sum(1 for p in crowd if p.join_status == 429),
        "stream_refused": sum(1 for p in crowd if p.stream_status == 429),
        "live": len(live),
        "missed": missed,
        "final": sum(1 for p in live if p.respondents == voted[200]),
        "join_failed": sum(1 for p in crowd if p.join_status == 0),
        "votes": voted[200],
        "slide_change": summary(latencies),
    }


async def plenary(ctx: Context, phones: int) -> list[Row]:
    """The plenary from one address, then from 50."""
    rows: list[Row] = []
    runs = {
        "one address": ["127.0.0.1"],
        "50 addresses": [f"127.0.0.{n}" for n in range(10, 60)],
    }
    results = {}
    for name, addresses in runs.items():
        results[name] = await _run(ctx, phones, addresses)
        r = results[name]
        say(
            f"plenary {name}: {r['joined']} joined in {r['join_seconds']:.1f} s, "
            f"{r['join_refused']} joins and {r['stream_refused']} streams refused, "
            f"{r['join_failed']} joins failed (connection), {r['votes']} votes, "
            f"{r['missed']} slide changes missed, {r['final']} saw the final count"
        )
    one, many = results["one address"], results["50 addresses"]
    title = f"plenary: {phones} phones arrive within {JOIN_WINDOW:.0f} s"
    rows += [
        row(
            title,
            "joined, one address (vs 50)",
            one["joined"],
            many["joined"],
            f"{phones}",
            one["joined"] == phones,
        ),
        row(
            title,
            "seconds to the last join, one address (vs 50)",
            one["join_seconds"],
            many["join_seconds"],
            "≤ 10 s",
            one["join_seconds"] <= 10,
            "s",
        ),
        row(
            title,
            "refused joins + streams, one address (vs 50)",
            one["join_refused"] + one["stream_refused"],
            many["join_refused"] + many["stream_refused"],
            "0",
            one["join_refused"] + one["stream_refused"] == 0,
        ),
        row(
            title,
            "phones missing a slide change, one address (vs 50)",
            one["missed"],
            many["missed"],
            "0",
            one["missed"] == 0 and one["live"] == phones,
        ),
        row(
            title,
            "live phones seeing the final count, one address (vs 50)",
            one["final"],
            many["final"],
            f"{phones}",
            one["final"] == phones,
        ),
        row(
            title,
            "slide change → phone p99, one address (vs 50)",
            one["slide_change"]["p99_ms"],
            many["slide_change"]["p99_ms"],
            "",
            None,
            "ms",
        ),
    ]
    return rows
