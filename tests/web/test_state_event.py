"""The `state` event every phone gets on a slide change stays small: it names every
revealed slide, but only the current one's entry holds results (the tally's core), and no
wall of open answers or word cloud rides along; `GET /api/v1/sessions/{code}` still has
every revealed tally in full. On a real server (streams are buffered in-process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from denkdag.config import Settings
from harness.servers import Live, live_session
from harness.sse import events, next_event

pytestmark = pytest.mark.anyio

EVERY_KIND = Path(__file__).parent.parent / "kinds" / "every_kind.md"


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Live]:
    async with live_session(settings, EVERY_KIND.read_text(encoding="utf-8")) as live:
        yield live


async def test_a_slide_change_carries_only_the_current_slides_results(server: Live) -> None:
    api = f"/api/v1/sessions/{server.code}"
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:

        async def control(body: dict[str, str]) -> None:
            reply = await client.post(f"{api}/control", json=body, headers=server.facilitator())
            assert reply.status_code == 200, reply.text

        phones = []
        for _ in range(3):
            reply = await client.post(f"{api}/participants")
            phones.append({"Authorization": f"Bearer {reply.json()['participant_token']}"})
        answers = {
            "choice": lambda i: "a" if i else "b",
            "cloud": lambda i: [f"woord{i}", "samen"],
            "open": lambda i: f"Een lang antwoord nummer {i} over samenwerken",
        }
        for slide, value in answers.items():
            await control({"action": "goto", "slide": slide})  # results: live, so revealed
            for index, phone in enumerate(phones):
                reply = await client.put(
                    f"{api}/slides/{slide}/response", json={"value": value(index)}, headers=phone
                )
                assert reply.status_code == 200, reply.text

        full = (await client.get(api)).json()["revealed"]
        assert {a["text"] for a in full["open"]["answers"]} == {
            answers["open"](i) for i in range(3)
        }
        assert full["cloud"]["words"]["samen"] == 3

        async with client.stream("GET", f"{api}/events", headers=phones[0]) as response:
            stream = events(response)
            _, name, opening = await anext(stream)
            assert name == "state" and opening["current_slide"] == "open"
            assert set(opening["revealed"]) == {"choice", "cloud", "open"}
            assert opening["revealed"]["open"] == {"slide": "open", "respondents": 3, "counts": {}}
            assert opening["revealed"]["cloud"] == {"slide": "cloud"}

            await control({"action": "goto", "slide": "choice"})
            _, _, state = await next_event(stream, "state")
            assert state["current_slide"] == "choice"
            assert state["revealed"] == {
                "choice": {
                    "slide": "choice",
                    "respondents": 3,
                    "counts": {"a": 2, "b": 1},
                },
                "cloud": {"slide": "cloud"},
                "open": {"slide": "open"},
            }
            assert "Een lang antwoord" not in str(state) and "woord1" not in str(state)
            # Everything else is the session as GET returns it.
            public = (await client.get(api)).json()
            for key in ("code", "title", "open_slides", "version", "timers", "current_slide"):
                assert state[key] == public[key]

            await control({"action": "hide"})  # the current slide's results hidden
            _, _, hidden = await next_event(stream, "state")
            assert set(hidden["revealed"]) == {"cloud", "open"}
