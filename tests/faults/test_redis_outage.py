"""Redis killed mid-load and restarted empty, under two instances of Denkdag: answers keep
being stored (none lost), and news from one instance reaches the other instance's phones
again within 5 s of Redis coming back, with no restart of Denkdag."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fault_servers import FULL, OwnRedis, bearer, own_redis, report, serve, sse_events

from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage import open_store
from denkdag.web.app import create_app

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.redis]
__all__ = ["own_redis"]

PHONES = 200 if FULL else 20
DOWN_SECONDS = 30.0 if FULL else 2.0
RESUME_WITHIN = 5.0


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
        base_a = await stack.enter_async_context(contextlib.asynccontextmanager(serve)(app_a))
        base_b = await stack.enter_async_context(contextlib.asynccontextmanager(serve)(app_b))
        service = app_a.state.service
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
        heard: list[tuple[float, str]] = []
        listening = asyncio.create_task(_collect(sse_events(stream), heard))

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
            # B hears A's tallies before the kill (waiting for it, not for a fixed time:
            # on a loaded machine the first one may take a few seconds).
            deadline = time.monotonic() + 15
            while not any(event == "tally" for _when, event in heard):
                assert time.monotonic() < deadline, "B hears A before"
                await asyncio.sleep(0.05)
            own_redis.kill()
            down = time.monotonic()
            before = acks
            await asyncio.sleep(DOWN_SECONDS)
            during_outage = acks - before
            own_redis.start()
            back = time.monotonic()
            resumed_after = await _tally_reaches_b(heard, back)
            # B heard no tally of A while Redis was away (a second past the kill, for
            # news already in flight): the resumption above is real.
            assert not [e for t, e in heard if e == "tally" and down + 1 < t < back]
            await asyncio.sleep(0.3)
        finally:
            stop.set()
            await asyncio.gather(*loaders)
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listening

    assert during_outage > 0
    assert resumed_after < RESUME_WITHIN
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


async def _collect(
    events: AsyncIterator[tuple[str, dict[str, object]]], heard: list[tuple[float, str]]
) -> None:
    """Note when each event reaches the phone on instance B."""
    async for event, _data in events:
        heard.append((time.monotonic(), event))


async def _tally_reaches_b(heard: list[tuple[float, str]], since: float) -> float:
    """Seconds from `since` until B's phone hears a tally: tallies come only from A's
    answers, through Redis, so the first one after the restart is news resumed."""
    while time.monotonic() - since < 30:
        for when, event in heard:
            if event == "tally" and when > since:
                return when - since
        await asyncio.sleep(0.02)
    raise AssertionError("news from instance A never reached instance B again")


def _hash(token: str) -> str:
    from denkdag.security import token_hash

    return token_hash(token)
