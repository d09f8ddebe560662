"""The `questions` live event on a real uvicorn server: facilitators hear of every new
question, participants of approved ones only, and a burst of votes ends on the final count."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.web.app import create_app

pytestmark = pytest.mark.anyio

DECK = "---\ntitle: Live Q&A\nquestions: approve-first\n---\n\n# Welkom\n"


@dataclass
class Server:
    base: str
    code: str
    facilitator: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Server]:
    port = free_port()
    app = create_app(settings)
    uv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(uv.serve())
    while not uv.started:
        await asyncio.sleep(0.02)
    service = app.state.service
    user = await service.store.ensure_user("facilitator")
    session = await service.sessions.create(parse_deck(DECK), user.id)
    token = await service.access.create_api_token("facilitator")
    try:
        yield Server(f"http://127.0.0.1:{port}", session.code, {"Authorization": f"Bearer {token}"})
    finally:
        uv.should_exit = True
        await asyncio.wait_for(task, 10)


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if not line:
            if "event" in fields:
                yield fields["event"], json.loads(fields["data"])
            fields = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            fields[key] = value


async def until(
    stream: AsyncIterator[tuple[str, dict[str, Any]]], test: Any, timeout: float = 5
) -> dict[str, Any]:
    """The first `questions` event whose data passes `test`."""

    async def find() -> dict[str, Any]:
        async for name, data in stream:
            if name == "questions" and test(data):
                return data
        raise AssertionError("stream ended")

    return await asyncio.wait_for(find(), timeout)


async def test_questions_event_reaches_phones_and_facilitators(server: Server) -> None:
    base = f"/api/v1/sessions/{server.code}"
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
        tokens = [
            (await client.post(f"{base}/participants")).json()["participant_token"]
            for _ in range(3)
        ]
        phones = [{"Authorization": f"Bearer {token}"} for token in tokens]
        async with (
            client.stream("GET", f"{base}/events", headers=phones[0]) as phone_response,
            client.stream("GET", f"{base}/events", headers=server.facilitator) as desk_response,
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
                headers=server.facilitator,
            )
            shown = await until(phone, lambda d: d["total"] == 1)
            assert shown["on_screen"]["id"] == question_id
            for headers in phones:
                await client.post(f"{base}/questions/{question_id}/vote", headers=headers)
            final = await until(phone, lambda d: d["questions"][0]["votes"] == 3)
            assert final["questions"][0]["text"] == "<b>Waarom?</b>"
