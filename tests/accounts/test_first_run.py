"""The first run in the browser: while no administrator exists, the sign-in page says how
to make one, and /setup (on the server itself) or `denkdag user setup-link` gives a
one-time sign-up link for the administrator; the path closes behind the first one."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.anyio


async def test_the_first_administrator_signs_up_from_the_server_itself(running: Any) -> None:
    client = running.client
    login = await client.get("/login?lang=en")
    assert "there is no administrator yet" in login.text
    assert 'href="/setup"' in login.text and "denkdag user setup-link" in login.text

    setup = await client.get("/setup")  # the test client connects over the loopback
    assert setup.status_code == 303
    link = setup.headers["location"]
    assert re.fullmatch(r"/invite/[A-Za-z0-9_-]+", link), link
    form = await client.get(link)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf is not None
    fields = {"csrf_token": csrf[1], "username": "ada", "password": "a long secret"}
    created = await client.post(link, data=fields | {"repeated": "a long secret"})
    assert created.status_code == 303, created.text[-2000:]
    ada = await running.service.store.user_by_name("ada")
    assert ada is not None and ada.role == "administrator"

    # Once there is an administrator, the path is closed.
    assert (await client.get("/setup")).headers["location"] == "/login"
    assert await running.service.accounts.first_administrator_link() is None
    client.cookies.clear()
    assert "there is no administrator yet" not in (await client.get("/login?lang=en")).text


async def test_setup_through_a_proxy_gives_no_link(running: Any) -> None:
    refused = await running.client.get("/setup?lang=en", headers={"X-Forwarded-For": "203.0.113.9"})
    assert refused.status_code == 403
    assert "only opens on the server itself" in refused.text
    assert "/invite/" not in refused.text


async def test_the_command_line_link_is_one_time(running: Any) -> None:
    token = await running.service.accounts.first_administrator_link()
    assert token is not None
    assert await running.service.accounts.invitation_role(token) == "administrator"
