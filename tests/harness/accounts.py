"""Helpers for the account tests: browsers with their own cookies, and the people in them."""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORDS = {
    "ada": "admin password 1",
    "facilitator": "owner password 1",
    "bert": "bert password 1",
}


@dataclass
class Browser:
    """One person's browser: cookies kept between requests, CSRF token sent with forms."""

    client: httpx.AsyncClient

    async def csrf(self) -> str:
        token = self.client.cookies.get("dd_csrf")
        if token is None:
            page = await self.client.get("/login")
            found = CSRF.search(page.text)
            assert found is not None
            token = found.group(1)
        return str(token)

    async def post(self, url: str, data: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        form = {"csrf_token": await self.csrf(), **(data or {})}
        return await self.client.post(url, data=form, **kw)

    async def sign_in(self, username: str, password: str) -> httpx.Response:
        return await self.post("/login", {"username": username, "password": password})


@dataclass
class People:
    running: Any
    stack: AsyncExitStack

    async def browser(self) -> Browser:
        transport = httpx.ASGITransport(app=self.running.app)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        client.cookies.set("dd_lang", "en")  # the assertions read the English messages
        await self.stack.enter_async_context(client)
        return Browser(client)

    async def signed_in(self, username: str) -> Browser:
        browser = await self.browser()
        response = await browser.sign_in(username, PASSWORDS[username])
        assert response.status_code == 303, response.text
        return browser

    async def user_id(self, username: str) -> int:
        user = await self.running.service.store.user_by_name(username)
        assert user is not None
        return int(user.id)


def link_in(page: str, prefix: str) -> str:
    """The one-time link (path and token) an admin page shows, e.g. prefix "/invite/"."""
    found = re.search(re.escape(prefix) + r"([A-Za-z0-9_-]+)", page)
    assert found is not None, page
    return prefix + found.group(1)
