"""One opinion map per session across instances sharing a database and Redis.

Votes reach both instances; exactly one (the lease holder) computes the map, every phone
and projector on either instance gets the same map, and when the computing instance is
killed the other takes over within the lease's TTL, keeping the group numbers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.live import MemoryBroadcaster
from denkdag.storage import open_store
from denkdag.web.app import create_app
from harness.opinions import DECK, STATEMENTS, ballot, settled
from harness.servers import reserved_port, served, until_answering
from harness.sse import events
from harness.waiting import wait_until

pytestmark = [pytest.mark.anyio, pytest.mark.redis]


async def prepare(database_url: str, camps: dict[str, int]) -> tuple[str, str, list[Any]]:
    """The planted-camps session with every statement open and the map revealed (phones
    see their own dot), its participants (camp, member, token) and an API token; made
    in-process, before any server runs."""
    store = await open_store(database_url)
    service = Denkdag(store, MemoryBroadcaster())
    try:
        user = await store.ensure_user("facilitator")
        deck = parse_deck(DECK.read_text("utf-8"))
        session = await service.sessions.create(deck, user.id)
        for slide in STATEMENTS:
            await service.control.apply(session.code, user, "goto", slide)
        await service.control.apply(session.code, user, "goto", "map")
        await service.control.apply(session.code, user, "reveal", "map")
        room = [
            (camp, member, await service.participation.join(session.code))
            for camp, size in camps.items()
            for member in range(size)
        ]
        return session.code, await service.access.create_api_token("facilitator"), room
    finally:
        await service.stop()
        await store.close()


async def vote_all(client: httpx.AsyncClient, base: str, code: str, voter: Any) -> None:
    camp, member, token = voter
    for statement, stance in ballot(camp, member).items():
        reply = await client.put(
            f"{base}/api/v1/sessions/{code}/slides/{statement}/response",
            json={"value": stance},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert reply.status_code == 200, reply.text


async def collect(client: httpx.AsyncClient, url: str, token: str, into: list[Any]) -> None:
    """Every `opinion` event of a stream, in the order it arrived, until cancelled."""
    headers = {"Authorization": f"Bearer {token}"}
    async with client.stream("GET", url, headers=headers) as response:
        async for event in events(response):
            if event.name == "opinion":
                into.append(event.data)


async def groups_of(
    client: httpx.AsyncClient, base: str, code: str, room: list[Any]
) -> dict[str, tuple[int, int | None]]:
    """Each phone's (map number, group) as the instance at `base` serves it."""
    found = {}
    for _, _, token in room:
        reply = await client.get(
            f"{base}/api/v1/sessions/{code}/opinions/me",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert reply.status_code == 200, reply.text
        mine = reply.json()
        assert mine["shown"] and mine["included"], mine
        found[token] = (mine["number"], mine["group"])
    return found


async def settled_groups(
    client: httpx.AsyncClient,
    base: str,
    code: str,
    room: list[Any],
    services: list[Denkdag],
) -> dict[str, tuple[int, int | None]]:
    """`groups_of` once the map has every vote (`settled`, on the in-process `services`),
    the same map for every phone (a late recomputation may still follow: the same votes,
    a higher number)."""
    await settled(services, code)
    found: dict[str, tuple[int, int | None]] = {}

    async def one_map() -> bool:
        nonlocal found
        found = await groups_of(client, base, code, room)
        return len({number for number, _ in found.values()}) == 1

    await wait_until(one_map, "every phone is served the same map")
    return found


async def test_votes_on_both_instances_make_one_map_that_both_serve(
    database_url: str,
    redis_url: str,
) -> None:
    camps = {"north": 8, "south": 12}
    code, api_token, room = await prepare(database_url, camps)
    settings = Settings(
        database_url=database_url, redis_url=redis_url, tally_interval=0.05, rate_limits=False
    )
    async with AsyncExitStack() as stack:
        bases, services = [], []
        for _ in range(2):
            app = create_app(settings)
            bases.append(await stack.enter_async_context(served(app)))
            services.append(app.state.service)
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=20))
        heard: list[list[Any]] = [[], []]
        listeners = [
            asyncio.create_task(
                collect(client, f"{base}/api/v1/sessions/{code}/events", room[i][2], heard[i])
            )
            for i, base in enumerate(bases)
        ]  # a phone on each instance (the map is revealed)
        try:
            await wait_until(
                lambda: all(s.broadcaster.hub.subscriber_count() == 1 for s in services),
                "each instance has its phone's stream",
            )
            # Votes alternate between the instances, in batches, as a room's phones do.
            for index, voter in enumerate(room):
                await vote_all(client, bases[index % 2], code, voter)

            def complete(views: list[Any]) -> bool:
                return bool(views) and views[-1].get("voters") == len(room)

            # The map with every vote reaches the phones on both instances.
            await wait_until(lambda: complete(heard[0]) and complete(heard[1]), "a full map")
            # Every vote is mapped and both instances heard of the last map: nothing more
            # can come, and both phones have it.
            await settled(services, code)
            session = await services[0].sessions.get(code)
            final = await services[0].opinions.for_report(session)
            assert final is not None
            await wait_until(
                lambda: all(h[-1]["number"] == final.number for h in heard),
                "both phones have the last map",
            )
        finally:
            for task in listeners:
                task.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)

        session = await services[0].sessions.get(code)
        holders = [s.opinions.recomputer.holds(session.id) for s in services]
        assert sorted(holders) == [False, True], holders
        other = services[holders.index(False)]
        assert other.opinions.recomputer.computations == 0  # one map, one computer
        # Both phones heard the same maps, in the same order, and the last one has the camps.
        assert heard[0] == heard[1]
        numbers = [data["number"] for data in heard[0]]
        assert numbers == sorted(set(numbers))
        last = heard[0][-1]
        assert sorted(g["size"] for g in last["groups"]) == sorted(camps.values())

        # The API of both instances serves that map, and each phone's own dot alike.
        facilitator = {"Authorization": f"Bearer {api_token}"}
        views = [
            (await client.get(f"{base}/api/v1/sessions/{code}/opinions", headers=facilitator))
            for base in bases
        ]
        assert all(v.status_code == 200 for v in views)
        assert views[0].json() == views[1].json()
        assert views[0].json()["number"] == last["number"]
        assert views[0].json()["groups"] == last["groups"]
        mine = [await settled_groups(client, base, code, room, services) for base in bases]
        assert mine[0] == mine[1]
        by_camp = {camp: {mine[0][t][1] for c, _, t in room if c == camp} for camp in camps}
        assert all(len(g) == 1 for g in by_camp.values()) and len(set.union(*by_camp.values())) == 2

        # The report shows the groups the room saw: the same sizes, the same members.
        report = await other.reports.report(session)
        assert report.opinion is not None and report.opinion.drawn
        assert sorted(g.size for g in report.opinion.groups) == sorted(camps.values())


class Serve:
    """`python -m denkdag serve` over Redis, as a child process that can be SIGKILLed."""

    def __init__(self, database_url: str, redis: str, log: Path) -> None:
        self.port = reserved_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DENKDAG_REDIS_URL": redis, "DENKDAG_RATE_LIMITS": "false"}
        command = [sys.executable, "-m", "denkdag", "serve", "--port", str(self.port)]
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command, "--database", database_url],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=out,
            )

    async def ready(self, code: str) -> None:
        await until_answering(self.process, f"{self.base}/api/v1/sessions/{code}", self.log)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture
async def killable(tmp_path: Path) -> AsyncIterator[list[Serve]]:
    started: list[Serve] = []
    try:
        yield started
    finally:
        for server in started:
            server.kill()


async def test_when_the_computing_instance_dies_the_other_takes_over_with_the_same_groups(
    database_url: str,
    redis_url: str,
    killable: list[Serve],
    tmp_path: Path,
) -> None:
    # South votes first and is the larger camp: it is group 0. North grows past it after
    # the failover, so a fresh map would number north first: only a computation that
    # continues the old map keeps the numbers.
    camps = {"south": 12, "north": 8}
    code, _, room = await prepare(database_url, camps)
    computing = Serve(database_url, redis_url, tmp_path / "a.log")
    killable.append(computing)
    await computing.ready(code)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=20))
        for voter in room:  # only A hears of votes yet: A takes the lease
            await vote_all(client, computing.base, code, voter)
        app = create_app(
            Settings(
                database_url=database_url, redis_url=redis_url, tally_interval=0.05,
                rate_limits=False,
            )
        )  # fmt: skip
        base = await stack.enter_async_context(served(app))
        service: Denkdag = app.state.service
        recomputer = service.opinions.recomputer

        # B serves A's map (stored, announced over the bus); B computes nothing itself.
        heard: list[Any] = []
        url = f"{base}/api/v1/sessions/{code}/events"
        listener = asyncio.create_task(collect(client, url, room[0][2], heard))
        stack.callback(listener.cancel)
        await wait_until(lambda: bool(heard) and heard[-1].get("voters") == len(room))
        before = await settled_groups(client, base, code, room, [service])
        numbers = {number for number, _ in before.values()}
        assert len(numbers) == 1
        (number,) = numbers
        north = {before[token][1] for camp, _, token in room if camp == "north"}
        south = {before[token][1] for camp, _, token in room if camp == "south"}
        assert len(north) == 1 and len(south) == 1 and north != south
        assert south == {0}
        extra = [("north", 100 + m, "") for m in range(8)]
        voter = extra[0]
        # One more vote through B, while A lives: A (the holder) computes it, not B.
        joined = await client.post(f"{base}/api/v1/sessions/{code}/participants")
        extra[0] = (voter[0], voter[1], joined.json()["participant_token"])
        await vote_all(client, base, code, extra[0])
        await wait_until(lambda: heard[-1].get("voters") == len(room) + 1)
        assert recomputer.computations == 0 and not recomputer.holds(
            (await service.sessions.get(code)).id
        )

        computing.kill()  # the computing instance dies
        for index in range(1, len(extra)):  # north grows past south, all through B
            joined = await client.post(f"{base}/api/v1/sessions/{code}/participants")
            extra[index] = (extra[index][0], extra[index][1], joined.json()["participant_token"])
            await vote_all(client, base, code, extra[index])
        total = len(room) + len(extra)
        # B takes the lease over once A's runs out (its TTL is 3 s) and maps every vote.
        await wait_until(lambda: heard[-1].get("voters") == total, "B maps the votes")
        session = await service.sessions.get(code)
        assert recomputer.holds(session.id) and recomputer.takeovers == 1
        assert recomputer.computations >= 1

        after = await settled_groups(client, base, code, room + extra, [service])
        assert all(n > number for n, _ in after.values())
        assert {after[t][1] for c, _, t in room + extra if c == "north"} == north
        assert {after[t][1] for c, _, t in room if c == "south"} == south
        view = heard[-1]
        sizes = {g["group"]: g["size"] for g in view["groups"]}
        assert sizes == {next(iter(north)): 16, next(iter(south)): 12}
