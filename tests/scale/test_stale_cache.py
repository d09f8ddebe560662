"""Two instances on one database WITHOUT a shared bus: each caches the session, neither
hears of the other's changes, and yet a vote is only ever taken while the slide is open,
because the write re-checks the stored state version in its own transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.web.app import create_app

pytestmark = pytest.mark.anyio


class Pair:
    def __init__(self, a: httpx.AsyncClient, b: httpx.AsyncClient, code: str, token: str):
        self.a, self.b, self.code = a, b, code
        self.facilitator = {"Authorization": f"Bearer {token}"}

    async def control(self, client: httpx.AsyncClient, action: str, slide: str | None = None):
        body = {"action": action} | ({"slide": slide} if slide else {})
        reply = await client.post(
            f"/api/v1/sessions/{self.code}/control", json=body, headers=self.facilitator
        )
        assert reply.status_code == 200, reply.text

    async def vote(self, client: httpx.AsyncClient, token: str, value: str) -> httpx.Response:
        return await client.put(
            f"/api/v1/sessions/{self.code}/slides/s4/response",
            json={"value": value},
            headers={"Authorization": f"Bearer {token}"},
        )


@pytest.fixture
async def pair(database_url: str) -> AsyncIterator[Pair]:
    settings = Settings(database_url=database_url, tally_interval=0.05, rate_limits=False)
    async with AsyncExitStack() as stack:
        clients = []
        apps = [create_app(settings), create_app(settings)]
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
            clients.append(await stack.enter_async_context(client))
        service: Denkdag = apps[0].state.service
        user = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        token = await service.access.create_api_token("facilitator")
        yield Pair(clients[0], clients[1], session.code, token)


async def join(client: httpx.AsyncClient, code: str) -> str:
    reply = await client.post(f"/api/v1/sessions/{code}/participants")
    assert reply.status_code == 201, reply.text
    return str(reply.json()["participant_token"])


async def test_a_close_elsewhere_refuses_the_vote_despite_a_stale_cache(pair: Pair) -> None:
    await pair.control(pair.a, "goto", "s4")
    token = await join(pair.b, pair.code)  # B caches the session: s4 open
    assert (await pair.vote(pair.b, token, "a")).status_code == 200
    await pair.control(pair.a, "close")  # B is not told
    refused = await pair.vote(pair.b, token, "b")
    assert refused.status_code == 409, refused.text
    results = await pair.a.get(f"/api/v1/sessions/{pair.code}/results", headers=pair.facilitator)
    s4 = next(s for s in results.json()["slides"] if s["id"] == "s4")
    assert s4["counts"] == {"a": 1, "b": 0, "c": 0}


async def test_an_open_elsewhere_lets_the_vote_in_despite_a_stale_cache(pair: Pair) -> None:
    await pair.control(pair.a, "goto", "s4")
    await pair.control(pair.a, "close")
    token = await join(pair.b, pair.code)  # B caches the session: s4 closed
    assert (await pair.vote(pair.b, token, "a")).status_code == 409
    await pair.control(pair.a, "open")  # B is not told
    accepted = await pair.vote(pair.b, token, "c")
    assert accepted.status_code == 200, accepted.text


async def test_a_reveal_elsewhere_does_not_refuse_a_vote(pair: Pair) -> None:
    await pair.control(pair.a, "goto", "s4")
    token = await join(pair.b, pair.code)
    await pair.control(pair.a, "hide")  # a new version; s4 stays open
    assert (await pair.vote(pair.b, token, "b")).status_code == 200
