"""The room's part of a slide (`GET /j/CODE/slide?room=yes`, web/room_slides.py): what a
phone that has not answered the new slide fetches after a slide change. Rendered once for
the room, never older than the state the phone heard, in the reader's language, with no
reader's own values; anything out of the ordinary is the route's own page."""

from __future__ import annotations

import asyncio
import re

import pytest

from denkdag.config import Settings
from denkdag.web.auth import participant_cookie

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A long tally interval: a page is shared for its whole length, so only the state
    version in its key can make a slide change show the new slide."""
    return Settings(database_url=database_url, tally_interval=30.0, heartbeat_seconds=1.0)


CHOICE = "s4"


def cookie(running, token: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Cookie": f"{participant_cookie(running.code)}={token}"}


def slide_of(html: str) -> str:
    found = re.search(r'id="slide" data-slide="([^"]*)"', html)
    assert found, html[:500]
    return found.group(1)


async def test_every_phone_gets_the_same_page_rendered_once(running, monkeypatch) -> None:
    assert (await running.control("goto", CHOICE)).status_code == 200
    phones = [await running.join() for _ in range(3)]
    from denkdag.web import room_slides

    renders = []
    real = room_slides.render_shared

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        renders.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(room_slides, "render_shared", counting)
    # The phones ask together, as after a slide change: one rendering serves them all.
    replies = await asyncio.gather(
        *(
            running.client.get(f"/j/{running.code}/slide?room=yes", headers=cookie(running, t))
            for t in phones
        )
    )
    pages = []
    for reply in replies:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/html")
        assert reply.headers["cache-control"] == "no-cache"
        assert reply.headers["x-content-type-options"] == "nosniff"  # the middleware's headers
        pages.append(reply.text)
    assert len(set(pages)) == 1
    assert renders == ["phone_slide.html"]
    assert slide_of(pages[0]) == CHOICE
    # No reader's own values: the forms' CSRF token is empty (live.js puts the page's own).
    assert 'name="csrf_token" value=""' in pages[0]
    assert "chosen" not in pages[0]


async def test_a_slide_change_is_never_answered_with_the_page_before(running) -> None:
    token = await running.join()
    for slide in (CHOICE, "s5", CHOICE, "s7"):
        assert (await running.control("goto", slide)).status_code == 200
        reply = await running.client.get(
            f"/j/{running.code}/slide?room=yes", headers=cookie(running, token)
        )
        assert slide_of(reply.text) == slide


async def test_each_language_has_its_own_page(running) -> None:
    assert (await running.control("goto", CHOICE)).status_code == 200
    token = await running.join()
    path = f"/j/{running.code}/slide?room=yes"
    english = await running.client.get(path + "&lang=en", headers=cookie(running, token))
    french = await running.client.get(path + "&lang=fr", headers=cookie(running, token))
    assert english.text != french.text
    assert "set-cookie" not in english.headers  # nothing of one reader's own


async def test_what_this_path_does_not_answer_is_the_routes_page(running) -> None:
    assert (await running.control("goto", CHOICE)).status_code == 200
    path = f"/j/{running.code}/slide?room=yes"
    stranger = await running.client.get(path)
    route = await running.client.get(f"/j/{running.code}/slide")
    assert stranger.status_code == route.status_code
    assert stranger.status_code >= 400
    unknown = await running.client.get(path, headers=cookie(running, "not-a-token"))
    assert unknown.status_code >= 400
    # Without `room=yes` the phone's own page shows its answer.
    token = await running.join()
    assert (await running.answer(token, CHOICE, "b")).status_code == 200
    own = await running.client.get(f"/j/{running.code}/slide", headers=cookie(running, token))
    assert "chosen" in own.text
