"""The first run in the browser: while no administrator exists, the sign-in page says how
to make one, and /setup (on the server itself) or `denkdag user setup-link` gives a
one-time sign-up link for the administrator; the path closes behind the first one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from denkdag.storage.tables import account_invitations

pytestmark = pytest.mark.anyio
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None, page[-2000:]
    return found[1]


async def _open_invitations(running: Any) -> int:
    """Invitations stored so far (the first run's are the only ones here)."""
    async with running.service.store.reader.connect() as conn:
        query = select(func.count()).select_from(account_invitations)
        return int((await conn.execute(query)).scalar_one())


async def test_the_first_administrator_signs_up_from_the_server_itself(running: Any) -> None:
    client = running.client
    login = await client.get("/login?lang=en")
    assert "there is no administrator yet" in login.text
    assert 'href="/setup"' in login.text and "denkdag user setup-link" in login.text

    page = await client.get("/setup?lang=en")  # the test client connects over the loopback
    assert page.status_code == 200 and 'action="/setup"' in page.text
    assert "Create the administrator" in page.text and "/invite/" not in page.text
    setup = await client.post("/setup", data={"csrf_token": _csrf(page.text)})
    assert setup.status_code == 303
    link = setup.headers["location"]
    assert re.fullmatch(r"/invite/[A-Za-z0-9_-]+", link), link
    form = await client.get(link)
    csrf = CSRF.search(form.text)
    assert form.status_code == 200 and csrf is not None
    fields = {"csrf_token": csrf[1], "username": "ada", "password": "a long secret"}
    created = await client.post(link, data=fields | {"repeated": "a long secret"})
    assert created.status_code == 303, created.text[-2000:]
    ada = await running.service.store.user_by_name("ada")
    assert ada is not None and ada.role == "administrator"

    # Once there is an administrator, the path is closed.
    assert (await client.get("/setup")).headers["location"] == "/login"
    closed = await client.post("/setup", data={"csrf_token": _csrf(page.text)})
    assert closed.status_code == 303 and closed.headers["location"] == "/login"
    assert await running.service.accounts.first_administrator_link() is None
    client.cookies.clear()
    assert "there is no administrator yet" not in (await client.get("/login?lang=en")).text


async def test_the_setup_page_makes_no_link_until_its_button_is_pressed(running: Any) -> None:
    """A GET changes nothing: opening /setup (or a prefetch of it) makes no invitation;
    the button's POST does, and only with the form's CSRF token."""
    client = running.client
    page = await client.get("/setup")
    await client.get("/setup")
    assert await _open_invitations(running) == 0
    tokenless = await client.post("/setup", data={})
    assert tokenless.status_code == 403
    assert await _open_invitations(running) == 0
    made = await client.post("/setup", data={"csrf_token": _csrf(page.text)})
    assert made.status_code == 303 and made.headers["location"].startswith("/invite/")
    assert await _open_invitations(running) == 1


async def test_setup_through_a_proxy_gives_no_link(running: Any) -> None:
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    refused = await running.client.get("/setup?lang=en", headers=proxied)
    assert refused.status_code == 403
    assert "only opens on the server itself" in refused.text
    assert "/invite/" not in refused.text and 'action="/setup"' not in refused.text
    page = await running.client.get("/setup")  # a token from a page opened on the server
    posted = await running.client.post(
        "/setup", data={"csrf_token": _csrf(page.text)}, headers=proxied
    )
    assert posted.status_code == 403 and "/invite/" not in posted.text
    assert await _open_invitations(running) == 0


async def test_the_command_line_link_is_one_time(running: Any) -> None:
    token = await running.service.accounts.first_administrator_link()
    assert token is not None
    assert await running.service.accounts.invitation_role(token) == "administrator"
