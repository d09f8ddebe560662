"""Who computes a session's opinion map when several instances run: the lease in Redis
(live/leases.py), the fenced store of maps (storage/opinion_maps.py), a map's JSON round
trip, and two recomputers sharing one lease and one store (opinions.py)."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from denkdag.analysis import VoteMatrix, compute
from denkdag.app.denkdag import Denkdag
from denkdag.app.opinions import LiveMap, Recomputer, RoomVotes, decode_live, encode_live
from denkdag.domain.kinds.statement import VOTE_ENCODING
from denkdag.formats.deck import parse_deck
from denkdag.live import LocalLeases, MemoryBroadcaster
from denkdag.live.redis_leases import RedisLeases
from denkdag.storage import open_store
from denkdag.storage.opinion_maps import OpinionMapStore
from denkdag.web.auth import LOGIN_COOKIE
from harness.opinions import STATEMENT_TEXTS, Room, ballot, settled
from harness.opinions import STATEMENTS as STATEMENT_TEXTS_OF_DECK
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def client() -> AsyncIterator[aioredis.Redis]:
    redis = aioredis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        await redis.ping()
    except (aioredis.RedisError, OSError):
        await redis.aclose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS} (CI=true: it must be there)")
        pytest.skip(f"Redis is not reachable at {REDIS}")
    prefix = f"denkdag-test-{uuid.uuid4().hex[:12]}:"
    redis.test_prefix = prefix  # type: ignore[attr-defined]
    try:
        yield redis
    finally:
        async for key in redis.scan_iter(match=prefix + "*"):
            await redis.delete(key)
        await redis.aclose()


def leases(client: aioredis.Redis, ttl: float = 0.3) -> RedisLeases:
    return RedisLeases(client, client.test_prefix, ttl)  # type: ignore[attr-defined]


@pytest.mark.redis
async def test_one_holder_at_a_time_and_only_the_holder_renews_or_releases(
    client: aioredis.Redis,
) -> None:
    a, b = leases(client), leases(client)
    first = await a.acquire("opinions:1")
    assert first is not None
    assert await b.acquire("opinions:1") is None  # held
    assert await b.acquire("opinions:2") is not None  # another name is another lease
    assert not await b.renew("opinions:1", first + 1)  # a wrong token renews nothing
    await b.release("opinions:1", first + 1)  # … and releases nothing
    assert await b.acquire("opinions:1") is None
    assert await a.renew("opinions:1", first)
    await a.release("opinions:1", first)
    second = await b.acquire("opinions:1")
    assert second is not None and second > first  # fencing tokens only grow


@pytest.mark.redis
async def test_an_unrenewed_lease_expires_and_its_old_holder_cannot_renew_it(
    client: aioredis.Redis,
) -> None:
    a, b = leases(client, ttl=60.0), leases(client, ttl=60.0)
    key = client.test_prefix + "lease:opinions:1"  # type: ignore[attr-defined]
    first = await a.acquire("opinions:1")
    assert first is not None
    assert 0 < await client.pttl(key) <= 60_000  # it expires by itself after its TTL
    # Time passes, as Redis sees it: the lease has 5 s left (ample for a busy machine to
    # renew in time). Renewed, it has its whole TTL again.
    await client.pexpire(key, 5_000)
    assert await a.renew("opinions:1", first)
    assert await client.pttl(key) > 5_000
    assert await b.acquire("opinions:1") is None
    await client.pexpire(key, 0)  # the holder stalls past the TTL: Redis lets it expire
    second = await b.acquire("opinions:1")
    assert second is not None and second > first
    assert not await a.renew("opinions:1", first)  # too late: it learns it lost
    await a.release("opinions:1", first)
    assert await a.acquire("opinions:1") is None  # b still holds it


@pytest.mark.redis
async def test_tokens_keep_growing_when_redis_lost_the_counter(client: aioredis.Redis) -> None:
    a = leases(client)
    first = await a.acquire("opinions:1")
    assert first is not None
    await a.release("opinions:1", first)
    async for key in client.scan_iter(match=client.test_prefix + "*"):  # type: ignore[attr-defined]
        await client.delete(key)  # as a restarted Redis without persistence
    # A restart takes longer than the clock's millisecond (the counter's floor).
    floor = time.time_ns() // 1_000_000
    await wait_until(lambda: time.time_ns() // 1_000_000 > floor)
    second = await a.acquire("opinions:1")
    assert second is not None and second > first


async def test_local_leases_are_always_granted() -> None:
    local = LocalLeases()
    assert not local.shared
    assert await local.acquire("opinions:1") == 0 == await local.acquire("opinions:1")
    assert await local.renew("opinions:1", 0)


async def test_the_store_keeps_the_map_with_the_highest_fencing_token(
    database_url: str,
) -> None:
    store = await open_store(database_url)
    try:
        user = await store.ensure_user("facilitator")
        service = Denkdag(store, MemoryBroadcaster())
        deck = parse_deck("---\ntitle: T\n---\n\n# S\nkind: statement\n\n> Yes.\n")
        session = await service.sessions.create(deck, user.id)
        maps = OpinionMapStore(store)
        assert await maps.get(session.id) is None
        assert await maps.put(session.id, 5, 1, '{"n": 1}')
        assert await maps.put(session.id, 5, 2, '{"n": 2}')  # the same holder again
        assert not await maps.put(session.id, 4, 9, '{"n": 9}')  # an older holder
        stored = await maps.get(session.id)
        assert stored is not None and (stored.fence, stored.number) == (5, 2)
        assert await maps.put(session.id, 7, 3, '{"n": 3}')  # a newer holder
        stored = await maps.get(session.id)
        assert stored is not None and json.loads(stored.data) == {"n": 3}
        await service.sessions.delete(session)
        assert await maps.get(session.id) is None  # gone with its session
        await service.stop()
    finally:
        await store.close()


def camps_room(north: int, south: int) -> Room:
    room = Room()
    statements = sorted(STATEMENT_TEXTS)
    people = [("north", m) for m in range(north)] + [("south", m) for m in range(south)]
    for index, (camp, member) in enumerate(people):
        votes = list(ballot(camp, member).values())
        for statement, stance in zip(statements, votes, strict=False):
            room.vote(index, statement, VOTE_ENCODING[stance])
    return room


def test_a_stored_map_comes_back_as_the_same_map_and_continues_alike() -> None:
    room = camps_room(8, 12)
    votes = VoteMatrix.from_votes((p, s, v) for (p, s), v in room.votes.items())
    first = compute(votes)
    live = LiveMap(
        RoomVotes(votes, STATEMENT_TEXTS),
        first,
        7,
        votes.fingerprint(),
    )
    back = decode_live(encode_live(live))
    assert back.number == 7 and back.fingerprint == votes.fingerprint()
    assert back.view() == live.view()
    assert back.position(3) == live.position(3)
    assert back.map is not None
    assert back.map.to_dict() == first.to_dict()
    more = camps_room(16, 12)
    again = VoteMatrix.from_votes((p, s, v) for (p, s), v in more.votes.items())
    assert compute(again, back.map).to_dict() == compute(again, first).to_dict()


class Shared:
    """A store of maps with fencing, as storage/opinion_maps.py keeps them, in memory."""

    def __init__(self) -> None:
        self.row: tuple[int, str] | None = None

    async def persist(self, session_id: int, token: int, live: LiveMap) -> bool:
        if self.row is not None and self.row[0] > token:
            return False
        self.row = (token, encode_live(live))
        return True

    async def restore(self, session_id: int) -> LiveMap | None:
        return decode_live(self.row[1]) if self.row is not None else None


@pytest.mark.redis
async def test_two_recomputers_one_computes_and_the_other_takes_over_when_it_stops(
    client: aioredis.Redis,
) -> None:
    room = camps_room(8, 12)
    shared = Shared()
    published: list[tuple[str, LiveMap]] = []

    def make(name: str) -> Recomputer:
        async def publish(session_id: int, live: LiveMap) -> None:
            published.append((name, live))
            for other in everyone:  # the bus: every instance hears of it
                other.announced(session_id, live.number)

        return Recomputer(
            room.load,
            publish,
            interval=0.05,
            first_delay=0,
            leases=leases(client, ttl=2.0),  # renewed every 0.67 s: slack for a busy CI
            restore=shared.restore,
            persist=shared.persist,
            watch_for=60.0,  # B keeps watching however slow a busy machine makes the steps
        )

    everyone: list[Recomputer] = []
    a, b = make("a"), make("b")
    everyone += [a, b]
    a.touch(1)  # A hears of the votes first
    await wait_until(lambda: bool(published), "A publishes a map")
    b.touch(1)  # then both hear of every vote
    a.touch(1)
    for _ in range(20):  # votes keep coming for a while (pacing, not a wait)
        await asyncio.sleep(0.03)
        a.touch(1)
        b.touch(1)
    await wait_until(lambda: not (a.busy(1) or b.busy(1)), "both are done with the votes")
    assert a.holds(1) and not b.holds(1), (a.holds(1), b.holds(1))
    assert b.computations == 0 and {name for name, _ in published} == {"a"}, published
    served = await b.latest(1)  # B serves A's map from the store
    assert served is not None and served.number == published[-1][1].number
    assert served.map is not None and a.cached(1) is not None
    groups = served.map.group_of()

    # A stops renewing (it died); B's watcher takes the lease after its TTL and continues.
    # First a vote reaches B while A's lease is surely alive, so B is watching it when A
    # dies (on a busy machine B's last try could otherwise come after the lease expired,
    # and B would simply take a free lease, which is no take-over).
    b.touch(1)
    await wait_until(lambda: 1 in b._watchers and not b.busy(1), "B watches A's lease")
    assert a.holds(1)
    keeper = a._keepers[1]
    keeper.cancel()
    await asyncio.gather(keeper, return_exceptions=True)
    for task in list(a._tasks.values()):
        task.cancel()
    b.touch(1)  # a vote reaches B meanwhile
    await wait_until(
        lambda: b.holds(1) and not b.busy(1) and b.computations > 0, "B takes over and computes"
    )
    assert b.holds(1) and b.takeovers == 1 and b.computations >= 1, (b.takeovers, b.computations)
    latest = b.cached(1)
    assert latest is not None and latest.map is not None
    assert latest.number > served.number
    assert latest.map.group_of() == groups  # the same group numbers

    # A comes back to life and computes once more: its fenced write is refused, and it
    # publishes nothing.
    before = len(published)
    assert a.holds(1)  # as far as it knows
    a.touch(1)
    await wait_until(lambda: not a.busy(1), "A's computation ends")
    assert len(published) == before
    assert not a.holds(1)
    await a.stop()
    await b.stop()


class SlowToAnswer:
    """Shared leases held by another instance until `free`; an acquire asked by a vote's
    recompute (not by the lease's watcher) is answered only when `answer` is set, as Redis
    answers a request that was slow to reach it: after the ones sent later."""

    shared = True

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.holder: int | None = 1  # another instance's token
        self.tokens = 1
        self.stall = False
        self.stalled = asyncio.Event()
        self.answer = asyncio.Event()

    async def acquire(self, name: str) -> int | None:
        task = asyncio.current_task()
        if self.stall and task is not None and task.get_name().startswith("denkdag-opinions-"):
            self.stall = False
            self.stalled.set()
            await self.answer.wait()
        if self.holder is not None:
            return None
        self.tokens += 1
        self.holder = self.tokens
        return self.tokens

    async def renew(self, name: str, token: int) -> bool:
        return self.holder == token

    async def release(self, name: str, token: int) -> None:
        if self.holder == token:
            self.holder = None


async def test_a_vote_that_asks_for_the_lease_while_the_watcher_takes_it_is_mapped() -> None:
    """The holder dies; a vote's recompute asks for the lease, and the watcher takes it
    before that request is answered (no: the watcher holds it now). The vote is still
    computed here: nothing waits for a computation that never comes."""
    room = camps_room(8, 12)
    leases = SlowToAnswer(ttl=0.2)
    shared = Shared()
    recomputer = Recomputer(
        room.load,
        room.publish,
        interval=0.05,
        first_delay=0,
        leases=leases,
        restore=shared.restore,
        persist=shared.persist,
    )
    recomputer.touch(1)  # another instance computes: this one watches its lease
    await wait_until(lambda: 1 in recomputer._watchers and not recomputer.busy(1))
    assert recomputer.computations == 0

    leases.stall = True
    recomputer.touch(1)  # a vote: its recompute asks for the lease, slowly
    await wait_until(leases.stalled.is_set, "the vote's recompute asks for the lease")
    leases.holder = None  # the holder died and its lease ran out
    await wait_until(lambda: recomputer.holds(1), "the watcher takes the lease over")
    leases.answer.set()  # the vote's request is answered: held (by this instance)
    await wait_until(lambda: not recomputer.busy(1), "the recompute is done")
    assert recomputer.takeovers == 1 and recomputer.computations >= 1
    assert (
        room.published
        and room.published[-1].fingerprint == (await room.load(1)).matrix.fingerprint()
    )
    await recomputer.stop()


async def test_votes_heard_while_asking_for_a_held_lease_leave_nothing_pending() -> None:
    """Another instance computes: votes that arrive while this one asks for the lease are
    that instance's to map, and this one is not left busy (a report would wait for ever)."""
    room = camps_room(8, 12)
    leases = SlowToAnswer(ttl=0.2)
    recomputer = Recomputer(room.load, room.publish, interval=0.05, first_delay=0, leases=leases)
    leases.stall = True
    recomputer.touch(1)
    await wait_until(leases.stalled.is_set, "the vote's recompute asks for the lease")
    recomputer.touch(1)  # more votes meanwhile
    leases.answer.set()  # held by the other instance
    await wait_until(lambda: not recomputer.busy(1), "nothing is pending here")
    assert recomputer.computations == 0 and 1 in recomputer._watchers
    await recomputer.stop()


async def test_the_report_shows_the_groups_the_room_saw(round_: Any) -> None:
    """South is the larger camp at first, so the live map numbers it first; north then
    grows past it. The live map keeps the numbers (previous map); a fresh computation of
    the same votes would number north first. The report follows the live map."""
    running = round_
    session = await running.service.sessions.get(running.code)
    recomputer = running.service.opinions.recomputer

    async def vote(camp: str, members: range) -> None:
        for member in members:
            token = await running.join()
            for statement, stance in ballot(camp, member).items():
                await running.answer(token, statement, stance)

    async def settled_map() -> LiveMap:
        await settled([running.service], running.code)
        live = recomputer.cached(session.id)
        assert live is not None and live.map is not None
        return live

    for statement in sorted(STATEMENT_TEXTS_OF_DECK):
        assert (await running.control("goto", statement)).status_code == 200
    await vote("south", range(12))
    await vote("north", range(8))
    first = await settled_map()
    await vote("north", range(100, 108))
    live = await settled_map()
    assert live.number > first.number and live.map is not None
    seen = live.map.group_of()
    matrix = VoteMatrix.from_votes(
        (a.participant_id, a.slide_id, VOTE_ENCODING[a.value])
        for a in await running.service.store.session_answers(session.id)
    )
    assert live.fingerprint == matrix.fingerprint()  # the report can take it as it is
    fresh = compute(matrix)
    assert fresh.group_of() != seen  # the numbering differs: the test can tell them apart

    report = await running.service.reports.report(session)
    assert report.opinion is not None and report.opinion.drawn
    shown = sorted(set(seen.values()))
    assert dict(report.opinion.members) == {pid: shown.index(g) + 1 for pid, g in seen.items()}
    # Named and coloured as on the projector: the room's letters, by the map's group index.
    room = {g["label"]: g["size"] for g in live.view()["groups"]}
    assert {g.label: g.size for g in report.opinion.groups} == room
    assert [g.colour for g in report.opinion.groups] == [g + 1 for g in shown]
    owner = await running.service.store.ensure_user("facilitator")
    running.client.cookies.set(LOGIN_COOKIE, await running.service.access.create_login(owner))
    page = (await running.client.get(f"/r/{running.code}?lang=en")).text
    assert all(f"Group {label}" in page for label in room), room
    stored = await running.service.opinions.maps.get(session.id)  # and it is stored
    assert stored is not None and stored.number == live.number
