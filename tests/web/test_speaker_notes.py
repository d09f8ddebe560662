"""Speaker notes reach the facilitator's screens (the remote, the notes window, the deck
export) and nothing a participant or the room sees: the phone's page and fragments, the
projector, the public API and a phone's live stream."""

from __future__ import annotations

import re

import httpx
import pytest

from harness.servers import live_session
from harness.sse import events, next_event

pytestmark = pytest.mark.anyio

SECRET = "Vertel eerst over Theek 5"
DECK = f"""---
title: Notities
---

# Welkom
layout: title

Denkdag

notes:
  {SECRET} (welkom).

# Hoe wil je samenwerken?
kind: choice

- **Informeel**
- **Permanent**

notes:
  {SECRET} (vraag).
  Wacht tot de helft gestemd heeft.

# Akkoord of niet akkoord?
kind: statement

> "Samenwerken loont."

notes:
  {SECRET} (stelling).
"""
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def test_notes_reach_facilitators_only(settings) -> None:
    async with (
        live_session(settings, DECK) as live,
        httpx.AsyncClient(base_url=live.base, timeout=10) as client,
        httpx.AsyncClient(base_url=live.base, timeout=10) as phone_client,
    ):
        code, boss = live.code, live.facilitator()
        token = (await client.post(f"/api/v1/sessions/{code}/participants")).json()[
            "participant_token"
        ]
        phone = {"Authorization": f"Bearer {token}"}
        page = await phone_client.get(f"/j/{code}")
        csrf = CSRF.search(page.text)
        assert csrf is not None
        joined = await phone_client.post(f"/j/{code}/join", data={"csrf_token": csrf[1]})
        assert joined.status_code == 303
        url = f"/api/v1/sessions/{code}/events"
        async with client.stream("GET", url, headers=phone) as response:
            stream = events(response)
            seen = [await next_event(stream, "state")]
            for slide in ("s2", "s3", "s1"):
                await client.post(
                    f"/api/v1/sessions/{code}/control",
                    json={"action": "goto", "slide": slide},
                    headers=boss,
                )
                seen.append(await next_event(stream, "state"))
                await client.put(
                    f"/api/v1/sessions/{code}/slides/s2/response",
                    json={"value": "a"},
                    headers=phone,
                )
                for where in (f"/j/{code}", f"/j/{code}/slide"):
                    shown = await phone_client.get(where)
                    assert shown.status_code == 200 and SECRET not in shown.text, where
                for where in (f"/p/{code}", f"/p/{code}/slide"):
                    shown = await client.get(where, headers=boss)
                    assert shown.status_code == 200 and SECRET not in shown.text, where
                remote = await client.get(f"/c/{code}", headers=boss)
                notes = await client.get(f"/c/{code}/notes", headers=boss)
                assert SECRET in remote.text and SECRET in notes.text
        assert [data["current_slide"] for _, _, data in seen] == ["s1", "s2", "s3", "s1"]
        assert all(SECRET not in str(data) for _, _, data in seen)
        public = await client.get(f"/api/v1/sessions/{code}", headers=phone)
        assert public.status_code == 200 and "Informeel" in public.text
        assert SECRET not in public.text
        deck = await client.get(f"/e/{code}/deck.md", headers=boss)
        assert deck.text.count(SECRET) == 3
        assert "  Wacht tot de helft gestemd heeft." in deck.text


async def test_notes_window_is_for_facilitators_and_follows_the_slides(settings) -> None:
    async with (
        live_session(settings, DECK) as live,
        httpx.AsyncClient(base_url=live.base, timeout=10) as client,
    ):
        code, boss = live.code, live.facilitator()
        stranger = await client.get(f"/c/{code}/notes")
        assert stranger.status_code in (302, 303) and "/login" in stranger.headers["location"]
        await client.post(
            f"/api/v1/sessions/{code}/control", json={"action": "goto", "slide": "s2"}, headers=boss
        )
        window = (await client.get(f"/c/{code}/notes", headers=boss)).text
        now, _, after = window.partition('class="notes-next"')
        assert "Hoe wil je samenwerken?" in now and f"{SECRET} (vraag)" in after
        assert "Akkoord of niet akkoord?" in after  # the next slide
        assert f"{SECRET} (stelling)" not in window
