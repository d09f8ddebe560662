"""Redis killed mid-load and restarted empty, under two instances of Denkdag: answers keep
being stored (none lost), and news from one instance reaches the other instance's phones
again once Redis is back, with no restart of Denkdag. (How long that took is reported to
the scorecard, not asserted: a busy machine is no fault of Denkdag.)"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.live.hub import Envelope
from denkdag.live.redis_bus import RedisBroadcaster
from denkdag.seed import seed_deck_text
from denkdag.storage import open_store
from denkdag.web.app import create_app
from harness.faults import FULL, OwnRedis, bearer, own_redis, report
from harness.servers import served
from harness.sse import Event, events
from harness.waiting import wait_until

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.redis]
__all__ = ["own_redis"]

PHONES = 200 if FULL else 20
DOWN_SECONDS = 30.0 if FULL else 2.0


async def test_redis_killed_mid_load_and_restarted_empty(
    own_redis: OwnRedis, database_url: str
) -> None:
    settings = Settings(
        database_url=database_url,
        redis_url=own_redis.url,
        tally_interval=0.05,
        heartbeat_seconds=0.5,
        rate_limits=False,
    )
    app_a, app_b = create_app(settings), create_app(settings)
    async with contextlib.AsyncExitStack() as stack:
        base_a = await stack.enter_async_context(served(app_a))
        base_b = await stack.enter_async_context(served(app_b))
        service = app_a.state.service
        buses: list[RedisBroadcaster] = [app.state.service.broadcaster for app in (app_a, app_b)]
        # What reaches B's hub, by phase: tallies come only from A's answers, through Redis.
        phase = "before"
        reached_b: list[tuple[str, str, int]] = []

        def on_b(_topic: str, envelope: Envelope) -> None:
            reached_b.append((phase, envelope.event, envelope.id))

        buses[1].hub.add_listener(on_b)
        user = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        facilitator = bearer(await service.access.create_api_token("facilitator"))
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        path = f"/api/v1/sessions/{session.code}"

        async def control(action: str, slide: str = "") -> int:
            body = {"action": action} | ({"slide": slide} if slide else {})
            reply = await client.post(f"{base_a}{path}/control", json=body, headers=facilitator)
            assert reply.status_code == 200, reply.text
            return int(reply.json()["version"])

        await control("goto", "s4")
        phones = []
        for _ in range(PHONES):
            reply = await client.post(f"{base_a}{path}/participants")
            assert reply.status_code == 201
            phones.append(reply.json()["participant_token"])

        # A phone on instance B listens.
        watcher = phones[0]
        stream = await stack.enter_async_context(
            client.stream("GET", f"{base_b}{path}/events", headers=bearer(watcher))
        )
        heard: list[Event] = []
        listening = asyncio.create_task(_collect(events(stream), heard))

        acknowledged: dict[str, str] = {}
        attempts = acks = 0
        stop = asyncio.Event()

        async def phone_loop(token: str) -> None:
            nonlocal attempts, acks
            rng = random.Random(token)
            while not stop.is_set():
                value = rng.choice("abc")
                attempts += 1
                reply = await client.put(
                    f"{base_a}{path}/slides/s4/response",
                    json={"value": value},
                    headers=bearer(token),
                )
                assert reply.status_code == 200, reply.text  # Redis down never refuses
                acknowledged[token] = value
                acks += 1
                await asyncio.sleep(0.02)

        loaders = [asyncio.create_task(phone_loop(token)) for token in phones]
        try:
            await wait_until(lambda: _tally_in(heard), "B's phone hears A's tallies")
            own_redis.kill()
            # Once both instances noticed, nothing more can come from A through Redis.
            await wait_until(lambda: not any(bus.connected for bus in buses), "Redis is gone")
            phase = "down"
            before = acks
            await asyncio.sleep(DOWN_SECONDS)  # the outage itself, as long as the scenario says
            await wait_until(lambda: acks > before, "answers are taken with Redis down")
            during_outage = acks - before
            last_before = max(i for p, e, i in reached_b if p == "before" and e == "tally")
            phase = "back"
            own_redis.start()
            back = time.monotonic()
            # News resumes: B's phone hears a tally of A newer than any before the outage.
            await wait_until(
                lambda: _tally_in(heard, after=last_before), "news from A reaches B again"
            )
            resumed_after = time.monotonic() - back  # for the scorecard only
            # B's hub got no tally of A while Redis was away: the resumption is real.
            assert not [e for p, e, _ in reached_b if p == "down" and e == "tally"]
            resumed_acks = acks
            await wait_until(lambda: acks > resumed_acks, "answers go on after the outage")
        finally:
            stop.set()
            await asyncio.gather(*loaders)
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listening

    assert during_outage > 0
    store = await open_store(database_url)
    try:
        stored = {}
        for answer in await store.session_answers(session.id):
            stored[answer.participant_id] = answer.value
        ids = {}
        for token in phones:
            found = await store.participant_for_token(_hash(token))
            assert found is not None
            ids[token] = found[0]
    finally:
        await store.close()
    lost = sum(1 for token, value in acknowledged.items() if stored.get(ids[token]) != value)
    assert lost == 0
    report(
        "redis_outage",
        requests=attempts,
        acknowledged=acks,
        acknowledged_while_down=during_outage,
        faults=1,
        lost=lost,
        resumed_after_s=round(resumed_after, 2),
    )


async def _collect(stream: AsyncIterator[Event], heard: list[Event]) -> None:
    """Every event that reaches the phone on instance B, in order."""
    async for event in stream:
        heard.append(event)


def _tally_in(heard: list[Event], after: int = 0) -> bool:
    """Whether B's phone heard a tally with an id above `after` (tallies come only from
    A's answers, through Redis)."""
    return any(event.name == "tally" and int(event.id) > after for event in heard)


def _hash(token: str) -> str:
    from denkdag.security import token_hash

    return token_hash(token)
