"""The `questions` live event on a real uvicorn server: facilitators hear of every new
question, participants of approved ones only, and a burst of votes ends on the final count."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from denkdag.config import Settings
from harness.servers import Live, live_session
from harness.sse import Event, events, next_event

pytestmark = pytest.mark.anyio

DECK = "---\ntitle: Live Q&A\nquestions: approve-first\n---\n\n# Welkom\n"


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Live]:
    async with live_session(settings, DECK) as live:
        yield live


async def until(stream: AsyncIterator[Event], test: Callable[[Any], bool]) -> dict[str, Any]:
    """The first `questions` event whose data passes `test`."""
    data: dict[str, Any] = (await next_event(stream, "questions", test)).data
    return data


async def test_questions_event_reaches_phones_and_facilitators(server: Live) -> None:
    base = f"/api/v1/sessions/{server.code}"
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
        tokens = [
            (await client.post(f"{base}/participants")).json()["participant_token"]
            for _ in range(3)
        ]
        phones = [{"Authorization": f"Bearer {token}"} for token in tokens]
        async with (
            client.stream("GET", f"{base}/events", headers=phones[0]) as phone_response,
            client.stream("GET", f"{base}/events", headers=server.facilitator()) as desk_response,
        ):
            phone, desk = events(phone_response), events(desk_response)
            asked = await client.post(
                f"{base}/questions", json={"text": "<b>Waarom?</b>"}, headers=phones[1]
            )
            question_id = asked.json()["id"]
            seen = await until(desk, lambda d: d["total"] == 1)
            assert seen["questions"][0]["text"] == "<b>Waarom?</b>"
            assert seen["questions"][0]["status"] == "pending"

            await client.patch(
                f"{base}/questions/{question_id}",
                json={"status": "approved", "on_screen": True},
                headers=server.facilitator(),
            )
            shown = await until(phone, lambda d: d["total"] == 1)
            assert shown["on_screen"]["id"] == question_id
            for headers in phones:
                await client.post(f"{base}/questions/{question_id}/vote", headers=headers)
            final = await until(phone, lambda d: d["questions"][0]["votes"] == 3)
            assert final["questions"][0]["text"] == "<b>Waarom?</b>"
