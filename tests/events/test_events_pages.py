"""The event pages as plain forms: an organiser makes an event, brands it,
adds rooms and facilitators; the public join page offers every session; the dashboard,
side-by-side view and poster render; strangers are refused with nothing leaked."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from harness.events import PNG, Browser, Cast, signed_in

pytestmark = pytest.mark.anyio
DECK = b"""---
title: Werksessie Samenwerking
---

# Akkoord of niet akkoord?
kind: statement

> Samenwerking biedt een meerwaarde.
"""


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as opened:
        yield opened


async def _event(olga: Browser, title: str = "Denkdag 2018") -> str:
    made = await olga.post(
        "/events",
        {"title": title, "date": "2018-05-17", "venue": "Muntpunt", "primary": "#0055aa"},
    )
    assert made.status_code == 303, made.text
    found = re.fullmatch(r"/events/([A-Z0-9]{6})", made.headers["location"])
    assert found is not None, made.headers["location"]
    return found.group(1)


async def test_an_organiser_builds_an_event_with_forms(cast: Cast, stack: AsyncExitStack) -> None:
    olga = await signed_in(cast.running, "olga", stack)
    listing = await olga.client.get("/events")
    assert listing.status_code == 200 and "New event" in listing.text

    refused = await olga.post("/events", {"title": "Dag", "primary": "rood"})
    assert refused.status_code == 422
    assert "is not a colour" in refused.text and 'value="Dag"' in refused.text

    code = await _event(olga)
    page = await olga.client.get(f"/events/{code}")
    assert page.status_code == 200 and "Denkdag 2018" in page.text

    # Branding: a PNG is taken, an SVG refused with the reason on the page.
    svg = ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    bad = await olga.post(f"/events/{code}", {"title": "Denkdag 2018"}, files={"logo": svg})
    assert bad.status_code == 422 and "SVG logos are not accepted" in bad.text
    logo = ("logo.png", PNG, "image/png")
    good = await olga.post(
        f"/events/{code}",
        {"title": "Denkdag 2018", "primary": "#e4003a", "secondary": "#222222"},
        files={"logo": logo},
    )
    assert good.status_code == 303, good.text

    # A plenary from a deck file, a working session made empty (opens in the editor).
    deck = ("werksessie.md", DECK, "text/markdown")
    plenary = await olga.post(
        f"/events/{code}/sessions/new",
        {"role": "plenary", "room": "Aula", "title": ""},
        files={"deck": deck},
    )
    assert plenary.status_code == 303 and plenary.headers["location"].endswith("#rooms")
    working = await olga.post(
        f"/events/{code}/sessions/new",
        {"role": "working", "room": "Zaal 1", "title": "Werksessie 1", "facilitator": "fien"},
    )
    assert working.status_code == 303
    editor = working.headers["location"]
    assert re.fullmatch(r"/e/\d{8}", editor)
    assert (await olga.client.get(editor)).status_code == 200
    session_code = editor.rsplit("/", 1)[-1]

    renamed = await olga.post(
        f"/events/{code}/sessions/{session_code}", {"room": "Zaal 2", "facilitator": "finn"}
    )
    assert renamed.status_code == 303
    rooms = await cast.call("olga", "GET", f"/api/v1/events/{code}/sessions")
    assert [(r["room"], r["facilitator"]) for r in rooms.json()] == [
        ("Aula", None),
        ("Zaal 2", "finn"),
    ]
    second = await olga.post(f"/events/{code}/sessions/new", {"role": "plenary"})
    assert second.status_code == 422 and "plenary already" in second.text

    # The public join page: branding and every session to pick, plenary first.
    anonymous = cast.client
    join = await anonymous.get(f"/ev/{code.lower()}")
    assert join.status_code == 303 and join.headers["location"] == f"/ev/{code}"
    join = await anonymous.get(f"/ev/{code}")
    assert join.status_code == 200
    assert join.text.index("Aula") < join.text.index("Zaal 2")
    assert f"/j/{session_code}" in join.text and f"/ev/{code}/brand.css" in join.text
    assert f"/ev/{code}/logo?v=" in join.text
    assert "finn" not in join.text  # facilitators' account names are not for participants
    qr = await anonymous.get(f"/ev/{code}/qr.svg")
    assert qr.headers["content-type"] == "image/svg+xml" and b"<svg" in qr.content

    for path in ("live", "compare", "compare/fragment", "poster"):
        shown = await olga.client.get(f"/events/{code}/{path}")
        assert shown.status_code == 200, (path, shown.text[:300])
    poster = await olga.client.get(f"/events/{code}/poster")
    assert f"/ev/{code}/qr.svg" in poster.text and "Aula" in poster.text

    removed = await olga.post(f"/events/{code}/sessions/{session_code}/remove")
    assert removed.status_code == 303
    deleted = await olga.post(f"/events/{code}/delete")
    assert deleted.status_code == 303 and deleted.headers["location"] == "/events"
    assert (await anonymous.get(f"/ev/{code}")).status_code == 404


async def test_strangers_are_refused_every_event_page(cast: Cast, stack: AsyncExitStack) -> None:
    olga = await signed_in(cast.running, "olga", stack)
    code = await _event(olga, "Geheime denkdag")
    fien = await signed_in(cast.running, "fien", stack)
    facilitator_list = await fien.client.get("/events", headers={"accept": "text/html"})
    assert facilitator_list.status_code == 403
    made = await fien.post("/events", {"title": "Mijn dag"})
    assert made.status_code == 403
    for name in ("oscar", "ada", "fien"):
        other = await signed_in(cast.running, name, stack)
        for path in ("", "/live", "/compare", "/compare/fragment", "/poster"):
            page = await other.client.get(f"/events/{code}{path}", headers={"accept": "text/html"})
            assert page.status_code == 403, (name, path)
            assert "Geheime" not in page.text
        for path in ("", "/delete", "/sessions/new", "/logo/remove", "/links"):
            posted = await other.post(f"/events/{code}{path}", {"title": "Overgenomen"})
            assert posted.status_code == 403, (name, path, posted.text[:200])
    # Without a sign-in, a page sends to the sign-in page.
    anonymous = await cast.client.get(f"/events/{code}/live")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    page = await olga.client.get(f"/events/{code}")
    assert "Geheime denkdag" in page.text and "Overgenomen" not in page.text
