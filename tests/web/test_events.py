"""Server-Sent Events on a real uvicorn server (the in-process transport buffers streams)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from harness.servers import Live
from harness.sse import events, next_event

pytestmark = pytest.mark.anyio


async def test_stream_state_first_then_slide_changes_and_tallies(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.base, timeout=10) as client:
        token = (await client.post(f"/api/v1/sessions/{live.code}/participants")).json()[
            "participant_token"
        ]
        phone = {"Authorization": f"Bearer {token}"}
        async with client.stream(
            "GET", f"/api/v1/sessions/{live.code}/events", headers=phone
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = events(response)
            first_id, name, data = await anext(stream)
            assert name == "state" and data["current_slide"] == "s1"
            await client.post(
                f"/api/v1/sessions/{live.code}/control",
                json={"action": "goto", "slide": "s4"},
                headers=live.facilitator(),
            )
            event_id, _, data = await next_event(stream, "state")
            assert data["current_slide"] == "s4" and "s4" in data["open_slides"]
            assert int(event_id) > int(first_id)
            await client.put(
                f"/api/v1/sessions/{live.code}/slides/s4/response",
                json={"value": "b"},
                headers=phone,
            )
            _, _, tally = await next_event(stream, "tally")
            assert tally == {"slide": "s4", "respondents": 1, "counts": {"a": 0, "b": 1, "c": 0}}


async def test_hidden_results_send_counts_only_to_facilitators(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.base, timeout=10) as client:
        token = (await client.post(f"/api/v1/sessions/{live.code}/participants")).json()[
            "participant_token"
        ]
        phone = {"Authorization": f"Bearer {token}"}
        await client.post(
            f"/api/v1/sessions/{live.code}/control",
            json={"action": "goto", "slide": "s7"},
            headers=live.facilitator(),
        )
        await client.post(
            f"/api/v1/sessions/{live.code}/control",
            json={"action": "hide"},
            headers=live.facilitator(),
        )
        url = f"/api/v1/sessions/{live.code}/events"
        async with (
            client.stream("GET", url, headers=phone) as p_resp,
            client.stream("GET", url, headers=live.facilitator()) as f_resp,
        ):
            p_stream, f_stream = events(p_resp), events(f_resp)
            await next_event(p_stream, "state")
            await next_event(f_stream, "state")
            await client.put(
                f"/api/v1/sessions/{live.code}/slides/s7/response",
                json={"value": "agree"},
                headers=phone,
            )
            _, _, public = await next_event(p_stream, "tally")
            _, _, private = await next_event(f_stream, "tally")
            assert public == {"slide": "s7", "respondents": 1}
            assert private["counts"] == {"agree": 1, "disagree": 0, "pass": 0}


async def test_tallies_are_coalesced_and_the_last_is_final(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.base, timeout=10) as client:
        await client.post(
            f"/api/v1/sessions/{live.code}/control",
            json={"action": "goto", "slide": "s4"},
            headers=live.facilitator(),
        )
        tokens = [
            (await client.post(f"/api/v1/sessions/{live.code}/participants")).json()[
                "participant_token"
            ]
            for _ in range(40)
        ]
        async with client.stream(
            "GET", f"/api/v1/sessions/{live.code}/events", headers=live.facilitator()
        ) as response:
            stream = events(response)
            await next_event(stream, "state")

            async def vote(token: str) -> None:
                await client.put(
                    f"/api/v1/sessions/{live.code}/slides/s4/response",
                    json={"value": "a"},
                    headers={"Authorization": f"Bearer {token}"},
                )

            await asyncio.gather(*(vote(t) for t in tokens))
            tallies = []
            while True:
                _, _, tally = await next_event(stream, "tally")
                tallies.append(tally)
                if tally["respondents"] == 40:
                    break
            assert len(tallies) < 40
            assert tallies[-1]["counts"]["a"] == 40


async def test_reconnect_replays_missed_events_or_sends_fresh_state(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.base, timeout=10) as client:
        url = f"/api/v1/sessions/{live.code}/events"
        async with client.stream("GET", url, headers=live.facilitator()) as response:
            stream = events(response)
            await next_event(stream, "state")
            await client.post(
                f"/api/v1/sessions/{live.code}/control",
                json={"action": "next"},
                headers=live.facilitator(),
            )
            seen_id, _, _ = await next_event(stream, "state")
        for action in ("next", "next"):
            await client.post(
                f"/api/v1/sessions/{live.code}/control",
                json={"action": action},
                headers=live.facilitator(),
            )
        resumed = {**live.facilitator(), "Last-Event-ID": seen_id}
        async with client.stream("GET", url, headers=resumed) as response:
            stream = events(response)
            first = await next_event(stream, "state")
            second = await next_event(stream, "state")
            assert int(first[0]) > int(seen_id)
            assert [first[2]["current_slide"], second[2]["current_slide"]] == ["s3", "s4"]
        stale = {**live.facilitator(), "Last-Event-ID": "1"}
        async with client.stream("GET", url, headers=stale) as response:
            _, name, data = await anext(events(response))
            assert name == "state" and data["current_slide"] == "s4"


async def test_stream_refuses_strangers(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.base, timeout=10) as client:
        response = await client.get(f"/api/v1/sessions/{live.code}/events")
        assert response.status_code == 403
        other = await client.get(
            f"/api/v1/sessions/{live.code}/events", headers={"Authorization": "Bearer nope"}
        )
        assert other.status_code == 403
