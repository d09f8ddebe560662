"""A plenary behind one venue address is admitted in full, every phone live; one address
minting voices across many sessions is stopped; streams are capped per phone and by a
session's size; a facilitator's `capacity:` caps joins; `rate_limits=False` lifts all.

Streams are opened as raw ASGI calls on the app (the guard, the stream opener and the
stream itself, as the server runs them), so 700 of them cost no sockets."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.web.app import create_app
from denkdag.web.ratelimit import SESSIONS_BURST
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio
VENUE = "203.0.113.50"


def from_address(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


class Stream:
    """One phone's live stream, held open until `close()`."""

    def __init__(self, app: FastAPI, code: str, token: str, address: str) -> None:
        self.status: int | None = None
        self.body = bytearray()
        self.started = asyncio.Event()
        self._leave = asyncio.Event()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": f"/api/v1/sessions/{code}/events",
            "raw_path": f"/api/v1/sessions/{code}/events".encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())],
            "client": (address, 40000),
            "server": ("testserver", 80),
        }
        self.task = asyncio.ensure_future(app(scope, self._receive, self._send))

    async def _receive(self) -> dict[str, object]:
        await self._leave.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])  # type: ignore[call-overload]
            self.started.set()
        else:
            self.body += message.get("body", b"")  # type: ignore[operator]

    async def close(self) -> None:
        self._leave.set()
        await asyncio.wait_for(self.task, 10)


@asynccontextmanager
async def served(settings: Settings, **changes: object) -> AsyncIterator[tuple[FastAPI, str, str]]:
    """The app (settings changed by `changes`), the seed session's code and a facilitator
    token."""
    app = create_app(settings.model_copy(update=changes))
    async with app.router.lifespan_context(app):
        service = app.state.service
        user = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        yield app, session.code, await service.access.create_api_token("facilitator")


async def join(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post(f"/api/v1/sessions/{code}/participants")


async def open_streams(
    app: FastAPI, code: str, tokens: list[str], address: str = VENUE
) -> list[Stream]:
    streams = [Stream(app, code, token, address) for token in tokens]
    await asyncio.wait_for(asyncio.gather(*(s.started.wait() for s in streams)), 60)
    return streams


async def close_all(streams: list[Stream]) -> None:
    await asyncio.gather(*(stream.close() for stream in streams))


async def test_a_plenary_of_700_behind_one_address_joins_and_every_phone_is_live(
    settings: Settings,
) -> None:
    async with served(settings) as (app, code, facilitator), from_address(app, VENUE) as venue:
        joins = await asyncio.gather(*(join(venue, code) for _ in range(700)))
        assert [r.status_code for r in joins] == [201] * 700
        tokens = [r.json()["participant_token"] for r in joins]
        streams = await open_streams(app, code, tokens)
        assert [s.status for s in streams] == [200] * 700
        moved = await venue.post(
            f"/api/v1/sessions/{code}/control",
            json={"action": "goto", "slide": "s7"},
            headers={"Authorization": f"Bearer {facilitator}"},
        )
        assert moved.status_code == 200, moved.text
        await wait_until(
            lambda: all(b'"s7"' in s.body for s in streams), "every phone saw the slide change"
        )
        assert not app.state.limits.refusals.counts
        await close_all(streams)
        assert app.state.limits.streams_open == 0


async def test_one_address_minting_voices_across_50_sessions_is_stopped(
    settings: Settings,
) -> None:
    async with served(settings) as (app, _code, _facilitator):
        service = app.state.service
        user = await service.store.ensure_user("facilitator")
        codes = [
            (await service.sessions.create(parse_deck(seed_deck_text()), user.id)).code
            for _ in range(50)
        ]
        async with from_address(app, "198.51.100.66") as minter:
            statuses = [
                [(await join(minter, code)).status_code for _ in range(3)] for code in codes
            ]
            refused = await join(minter, codes[-1])
        admitted = [code for code, seen in zip(codes, statuses, strict=True) if 201 in seen]
        assert len(admitted) == SESSIONS_BURST
        assert statuses[:SESSIONS_BURST] == [[201, 201, 201]] * SESSIONS_BURST
        assert all(seen == [429, 429, 429] for seen in statuses[SESSIONS_BURST:])
        assert refused.status_code == 429
        assert "sessions" in refused.json()["detail"]
        assert int(refused.headers["retry-after"]) >= 1
        async with from_address(app, "198.51.100.67") as neighbour:
            assert (await join(neighbour, codes[-1])).status_code == 201
        assert app.state.limits.refusals.counts["join_sessions"] == 61


async def test_streams_are_capped_per_phone_not_per_address(settings: Settings) -> None:
    async with served(settings) as (app, code, _), from_address(app, VENUE) as venue:
        eager = (await join(venue, code)).json()["participant_token"]
        calm = (await join(venue, code)).json()["participant_token"]
        held = await open_streams(app, code, [eager] * 8)
        assert [s.status for s in held] == [200] * 8
        (ninth,) = await open_streams(app, code, [eager])
        assert ninth.status == 429
        assert b"Close a tab" in ninth.body
        (other,) = await open_streams(app, code, [calm])
        assert other.status == 200
        await close_all([*held, ninth, other])


async def test_streams_are_capped_by_the_sessions_size(settings: Settings) -> None:
    async with served(settings) as (app, code, facilitator), from_address(app, VENUE) as venue:
        limits = app.state.limits
        limits.streams_per_joined, limits.streams_session_slack = 1, 1
        tokens = [(await join(venue, code)).json()["participant_token"] for _ in range(2)]
        held = await open_streams(app, code, [*tokens, facilitator])
        assert [s.status for s in held] == [200] * 3
        (beyond,) = await open_streams(app, code, [tokens[0]])
        assert beyond.status == 429
        assert limits.refusals.counts["stream_per_session"] == 1
        await close_all([*held, beyond])


async def test_a_session_with_a_capacity_admits_that_many(settings: Settings) -> None:
    async with served(settings) as (app, _code, _), from_address(app, VENUE) as venue:
        service = app.state.service
        user = await service.store.ensure_user("facilitator")
        deck = parse_deck("---\ntitle: Small room\ncapacity: 3\n---\n\n# Hello\n")
        code = (await service.sessions.create(deck, user.id)).code
        assert [(await join(venue, code)).status_code for _ in range(3)] == [201] * 3
        full = await join(venue, code)
        assert full.status_code == 403
        assert (
            full.json()["detail"]
            == "This session is full: the maximum number of participants (3) has been reached."
        )
        # The phone's page says so too, and asks for no invitation code it does not need.
        page = await venue.get(f"/j/{code}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        refused = await venue.post(f"/j/{code}/join", data={"csrf_token": csrf[1]})
        assert refused.status_code == 403
        assert (
            "Deze sessie is vol: het maximum aantal deelnemers (3) is bereikt." in refused.text
        )  # nl deck
        assert 'name="invitation"' not in refused.text


async def test_without_rate_limits_no_stream_or_join_limit_holds(settings: Settings) -> None:
    async with (
        served(settings, rate_limits=False, streams_per_address=3, streams_total=3) as (
            app,
            code,
            _,
        ),
        from_address(app, VENUE) as venue,
    ):
        app.state.limits.streams_session_slack = 0
        token = (await join(venue, code)).json()["participant_token"]
        streams = await open_streams(app, code, [token] * 12)
        assert [s.status for s in streams] == [200] * 12
        await close_all(streams)
