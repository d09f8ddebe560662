"""What a whole room asks for at once is computed once: a slide change makes every phone
fetch its slide, and their pages share one count of the answers (live/recent.py); the
facilitator's screens still count exactly."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from denkdag.live.recent import RecentValues
from denkdag.web.auth import participant_cookie
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio


async def test_callers_together_share_one_computation_until_it_is_old() -> None:
    now = [100.0]
    recent: RecentValues[str, int] = RecentValues(0.25, clock=lambda: now[0])
    runs = []

    async def compute() -> int:
        runs.append(now[0])
        await asyncio.sleep(0.01)
        return len(runs)

    assert await asyncio.gather(*(recent.get("k", compute) for _ in range(50))) == [1] * 50
    now[0] += 0.2
    assert await recent.get("k", compute) == 1  # still recent
    assert await recent.get("other", compute) == 2  # another key: its own
    now[0] += 0.1
    assert await recent.get("k", compute) == 3  # older than the ttl: counted again
    assert len(runs) == 3


async def test_a_clock_set_back_does_not_keep_a_value() -> None:
    now = [100.0]
    recent: RecentValues[str, int] = RecentValues(0.25, clock=lambda: now[0])
    runs = 0

    async def compute() -> int:
        nonlocal runs
        runs += 1
        return runs

    assert await recent.get("k", compute) == 1
    now[0] -= 3600.0  # a wall clock stepped back an hour: the value is from its future
    assert await recent.get("k", compute) == 2
    assert await recent.get("k", compute) == 2  # recent again, on the clock as it is now


async def test_a_failed_computation_is_not_kept() -> None:
    recent: RecentValues[str, int] = RecentValues(10.0)
    calls = 0

    async def flaky() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database went away")
        return 7

    with pytest.raises(RuntimeError):
        await recent.get("k", flaky)
    assert await recent.get("k", flaky) == 7


async def test_a_room_fetching_its_slide_at_once_counts_once(running, monkeypatch) -> None:
    published: list[dict[str, Any]] = []
    running.service.broadcaster.hub.add_listener(
        lambda _topic, envelope: (
            published.append(envelope.data) if envelope.event == "tally" else None
        )
    )
    await running.control("goto", "s4")
    tokens = [await running.join() for _ in range(12)]
    for token in tokens[:5]:
        assert (await running.answer(token, "s4", "a")).status_code == 200
    # The answers' tally goes out (it reads the answers too) before the reads are counted.
    await wait_until(
        lambda: any(t["slide"] == "s4" and t["respondents"] == 5 for t in published),
        "the tally of the five answers is published",
    )
    session = await running.service.sessions.get(running.code)
    await wait_until(  # and no later round of tallies is still to go out (it counts too)
        lambda: not running.service.coalescer.busy(session.id), "the tallies are all out"
    )
    # "At once" is within one tally interval: the server's clock stands still, so the
    # twelve fetches are together however slowly this machine serves them.
    now = running.service.clock()
    monkeypatch.setattr(running.service, "clock", lambda: now)
    store = running.service.store
    reads = 0
    counted = store.slide_answers

    async def counting(session_id: int, slide_id: str):  # type: ignore[no-untyped-def]
        nonlocal reads
        reads += 1
        return await counted(session_id, slide_id)

    monkeypatch.setattr(store, "slide_answers", counting)

    async def phone(token: str) -> httpx.Response:
        cookie = {"Cookie": f"{participant_cookie(running.code)}={token}"}
        return await running.client.get(f"/j/{running.code}/slide", headers=cookie)

    pages = await asyncio.gather(*(phone(token) for token in tokens))
    assert all(page.status_code == 200 for page in pages)
    assert reads == 1  # one count for the twelve phones
    results = await running.results()  # the facilitator's: counted anew, exactly
    assert reads > 1 and results["s4"]["counts"]["a"] == 5
