"""Fixtures for event profile questions: the running app of tests/conftest.py with an
organiser (olga) holding an API token, and phones that keep their cookies."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from denkdag.storage.accounts import AccountStore
from harness.event_profiles import DECK

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Organiser:
    """The app, its service and the organiser's API calls."""

    running: Any
    token: str

    @property
    def client(self) -> httpx.AsyncClient:
        client: httpx.AsyncClient = self.running.client
        return client

    async def call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return await self.client.request(method, url, headers=headers, **kw)

    async def event(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "Denkdag 2026", "date": "2026-05-17"} | fields
        response = await self.call("POST", "/api/v1/events", json=body)
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made

    async def room(self, event: str, title: str, **body: Any) -> str:
        body = {"deck": DECK.format(title=title), "room": title} | body
        response = await self.call("POST", f"/api/v1/events/{event}/sessions", json=body)
        assert response.status_code == 201, response.text
        code: str = response.json()["code"]
        return code

    async def profile_of(self, session_code: str) -> list[str]:
        """The profile questions the session asks now, as `question: options` lines."""
        from denkdag.domain.profiles import write_question

        session = await self.running.service.sessions.get(session_code)
        return [write_question(q) for q in session.deck.info.profile]


@pytest.fixture
async def olga(running: Any) -> Organiser:
    service = running.service
    user = await service.store.ensure_user("olga")
    await AccountStore(service.store).set_role(user.id, "organiser")
    return Organiser(running, await service.access.create_api_token("olga"))


@dataclass
class Phone:
    """One phone's browser in-process: cookies kept, forms sent with the CSRF token."""

    client: httpx.AsyncClient

    async def csrf(self) -> str:
        token = self.client.cookies.get("dd_csrf")
        if token is None:
            found = CSRF.search((await self.client.get("/login")).text)
            assert found is not None
            token = found.group(1)
        return str(token)

    async def post(self, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post(url, data={"csrf_token": await self.csrf(), **(data or {})})

    async def enter(self, code: str) -> httpx.Response:
        """Open the session's page, join it, and return the page the phone then shows."""
        assert (await self.post(f"/j/{code}/join")).status_code == 303
        return await self.client.get(f"/j/{code}")


@pytest.fixture
async def phones(running: Any) -> AsyncIterator[Any]:
    """Make phones: `phones()` gives a new one (its own cookies)."""
    made: list[httpx.AsyncClient] = []

    def new() -> Phone:
        transport = httpx.ASGITransport(app=running.app)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        client.cookies.set("dd_lang", "en")
        made.append(client)
        return Phone(client)

    yield new
    for client in made:
        await client.aclose()
