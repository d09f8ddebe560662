"""Helpers for the event tests: the people of an event and the API as each of them."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx

from harness.accounts import Browser
from harness.images import png

ROLES = {
    "olga": "organiser",
    "oscar": "organiser",
    "fien": "facilitator",
    "finn": "facilitator",
    "ada": "administrator",
}
PNG = png((40, 20))
"""A real logo: logos are decoded and re-encoded (formats/images.py)."""


@dataclass
class Cast:
    """The people of an event test and a way to call the API as each of them."""

    running: Any
    tokens: dict[str, str]

    @property
    def client(self) -> httpx.AsyncClient:
        client: httpx.AsyncClient = self.running.client
        return client

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    async def call(self, name: str, method: str, url: str, **kw: Any) -> httpx.Response:
        headers = {**self.auth(name), **kw.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kw)

    async def event(self, name: str = "olga", **fields: Any) -> dict[str, Any]:
        body = {"title": "Denkdag 2018", "date": "2018-05-17", "venue": "Muntpunt"} | fields
        response = await self.call(name, "POST", "/api/v1/events", json=body)
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made

    async def room(self, event: str, name: str = "olga", **body: Any) -> dict[str, Any]:
        response = await self.call(name, "POST", f"/api/v1/events/{event}/sessions", json=body)
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made


async def signed_in(running: Any, username: str, stack: AsyncExitStack) -> Browser:
    """A browser signed in as `username` through a one-time sign-in link (no password)."""
    user = await running.service.store.user_by_name(username)
    assert user is not None
    link = await running.service.access.create_signin_link(user)
    transport = httpx.ASGITransport(app=running.app)
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    client.cookies.set("dd_lang", "en")
    await stack.enter_async_context(client)
    assert (await client.get(f"/signin/{link}")).status_code == 303
    return Browser(client)
