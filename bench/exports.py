"""Votes while a facilitator downloads a big session's files: vote latency with the server
idle, then while one facilitator downloads a 400-slide session's XLSX and PDF over and
over (one after the other, as a person clicking again would). Target: vote p99 within
1.5× of idle (the builds run in worker processes, app/heavy.py, not on the event loop).
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bench.load import at_rate, summary
from bench.scenarios import Context, Row, api, bearer, client, row, say
from bench.servers import Room, denkdag, fresh_sqlite
from denkdag.app.denkdag import Denkdag
from denkdag.formats.deck import parse_deck
from denkdag.live import MemoryBroadcaster
from denkdag.storage import open_store

SLIDES = 400
ANSWERING = 40
"""Phones that answered every slide of the big session (16,000 answers)."""


def big_deck() -> str:
    slides = "\n".join(
        f"# Question {n}: which option fits best?\nkind: choice\n\n- Alpha\n- Beta\n- Gamma\n"
        for n in range(1, SLIDES + 1)
    )
    return f"---\ntitle: A long day\npace: audience\n---\n\n{slides}"


async def make_big_room(database_url: str, voters: int) -> tuple[Room, str]:
    """The big session (answered by ANSWERING phones) and a small one phones vote in."""
    store = await open_store(database_url)
    service = Denkdag(store, MemoryBroadcaster())
    try:
        user = await store.ensure_user("bench")
        big = await service.sessions.create(parse_deck(big_deck()), user.id)
        for phone in range(ANSWERING):
            token = await service.participation.join(big.code)
            for slide in big.deck.slides:
                await service.participation.respond(big.code, token, slide.id, "abc"[phone % 3])
        small = await service.sessions.create(parse_deck(big_deck()), user.id)
        tokens = [await service.participation.join(small.code) for _ in range(voters)]
        room = Room(
            database_url, small.code, await service.access.create_api_token("bench"), tokens
        )
        return room, big.code
    finally:
        await service.stop()
        await store.close()


async def _votes(http: aiohttp.ClientSession, url: str, room: Room, seconds: float) -> list[float]:
    latencies: list[float] = []

    async def vote(index: int) -> None:
        token = room.tokens[index % len(room.tokens)]
        started = time.monotonic()
        async with http.put(url, json={"value": "abc"[index % 3]}, headers=bearer(token)) as reply:
            await reply.read()
            if reply.status == 200:
                latencies.append(time.monotonic() - started)

    await at_rate(int(50 * seconds), seconds, vote)
    return latencies


async def exports_under_votes(ctx: Context) -> list[Row]:
    seconds = 10.0 if ctx.quick else 30.0
    room, big = await make_big_room(fresh_sqlite(ctx.directory), 500)
    server = denkdag(room, ctx.log("exports-denkdag"))
    downloads: dict[str, list[float]] = {"xlsx": [], "pdf": []}
    statuses: dict[int, int] = {}
    try:
        await server.ready(f"/api/v1/sessions/{room.code}")
        vote_url = api(server, room, "/slides/s1/response")
        async with client() as http:
            await _votes(http, vote_url, room, 2)  # warm up
            idle = await _votes(http, vote_url, room, seconds)
            stop = asyncio.Event()

            async def facilitator() -> None:
                while not stop.is_set():
                    for fmt in ("xlsx", "pdf"):
                        started = time.monotonic()
                        url = f"{server.base}/r/{big}.{fmt}"
                        async with http.get(url, headers=bearer(room.facilitator)) as reply:
                            await reply.read()
                            statuses[reply.status] = statuses.get(reply.status, 0) + 1
                        downloads[fmt].append(time.monotonic() - started)
                        if stop.is_set():
                            return

            clicking = asyncio.create_task(facilitator())
            await asyncio.sleep(1)  # the first build has begun
            busy = await _votes(http, vote_url, room, seconds)
            stop.set()
            await clicking
    finally:
        server.stop()
    ours, calm = summary(busy), summary(idle)
    say(
        f"exports: vote p99 idle {calm['p99_ms']:.0f} ms, while downloading "
        f"{ours['p99_ms']:.0f} ms; downloads {statuses}, "
        f"xlsx {[round(d, 1) for d in downloads['xlsx']]} s, "
        f"pdf {[round(d, 1) for d in downloads['pdf']]} s"
    )
    name = f"votes at 50/s while a {SLIDES}-slide session's XLSX and PDF download repeatedly"
    ratio_met = ours["p99_ms"] <= 1.5 * calm["p99_ms"]
    return [
        row(name, "vote p50 (vs idle)", ours["p50_ms"], calm["p50_ms"], "", None, "ms"),
        row(name, "vote p99 (vs idle)", ours["p99_ms"], calm["p99_ms"], "≤ 1.5×", ratio_met, "ms"),
        row(name, "downloads done", sum(statuses.values()), None, "", None),
    ]
