"""A burst: 300 participants each change their answer 3 times, all at once, against a real
server. The final counts equal a plain model exactly, and the facilitator's live stream
ends on a tally equal to the database.

The load comes from aiohttp: httpx's connection pool slows down with hundreds of waiting
requests and would measure itself rather than the server.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import aiohttp
import pytest

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.web.app import create_app
from harness.servers import served
from harness.sse import aiohttp_events
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio

PARTICIPANTS = 300
CHANGES = 3
OPTIONS = ["a", "b", "c"]


async def test_a_burst_of_changing_answers_gives_exact_counts(database_url: str) -> None:
    settings = Settings(database_url=database_url, tally_interval=0.05, rate_limits=False)
    app = create_app(settings)
    async with served(app) as base:
        service: Denkdag = app.state.service
        user = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        await service.control.apply(session.code, user, "goto", "s4")
        facilitator = {
            "Authorization": f"Bearer {await service.access.create_api_token('facilitator')}"
        }
        api = f"{base}/api/v1/sessions/{session.code}"
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(connector=connector) as client:

            async def join() -> str:
                async with client.post(f"{api}/participants") as reply:
                    assert reply.status == 201, await reply.text()
                    return str((await reply.json())["participant_token"])

            tokens = await asyncio.gather(*(join() for _ in range(PARTICIPANTS)))
            async with client.get(f"{api}/events", headers=facilitator) as response:
                stream = aiohttp_events(response)
                _, first, _ = await anext(stream)
                assert first == "state"
                tallies: list[dict[str, Any]] = []
                published: list[Any] = []  # every s4 tally the service sent to the stream
                service.broadcaster.hub.add_listener(
                    lambda topic, envelope: (
                        published.append(envelope.data)
                        if topic == f"session:{session.id}"
                        and envelope.event == "tally"
                        and envelope.data["slide"] == "s4"
                        else None
                    )
                )

                async def watch() -> None:
                    async for _, name, data in stream:
                        if name == "tally" and data["slide"] == "s4":
                            tallies.append(data)

                watcher = asyncio.create_task(watch())
                model: dict[str, str] = {}

                async def participant(index: int, token: str) -> None:
                    rng = random.Random(index)
                    for _ in range(CHANGES):
                        value = rng.choice(OPTIONS)
                        async with client.put(
                            f"{api}/slides/s4/response",
                            json={"value": value},
                            headers={"Authorization": f"Bearer {token}"},
                        ) as reply:
                            assert reply.status == 200, await reply.text()
                        model[token] = value

                await asyncio.gather(*(participant(i, t) for i, t in enumerate(tokens)))
                expected = {option: 0 for option in OPTIONS} | Counter(model.values())

                async with client.get(f"{api}/results", headers=facilitator) as reply:
                    slides = (await reply.json())["slides"]
                s4 = next(slide for slide in slides if slide["id"] == "s4")
                assert s4["respondents"] == PARTICIPANTS and s4["counts"] == expected

                # Once no tally is left to go out, the stream has every tally published
                # (nothing stale follows), and the last carries the database's counts.
                await wait_until(
                    lambda: not service.coalescer.busy(session.id), "every tally is out"
                )
                await wait_until(
                    lambda: len(tallies) == len(published), "the stream has every tally"
                )
                watcher.cancel()
                final = {"slide": "s4", "respondents": PARTICIPANTS, "counts": expected}
                assert tallies[-1] == final
                assert len(tallies) < PARTICIPANTS * CHANGES / 10  # coalesced
