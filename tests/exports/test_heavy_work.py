"""Reports, exports and PDFs are built in worker processes, a bounded number at a time and
within a time budget: a build past its budget is stopped (its worker ended, a fresh one
next time) and answered 503; more builds than workers and queue are answered 429 at once;
both with a sentence and Retry-After: JSON to an API client, the error page to a browser."""

from __future__ import annotations

import asyncio
import html
import os
import time

import httpx
import pytest

from denkdag.app.heavy import HeavyWork, ReportsBusy, ReportTooSlow
from harness.exports import Built
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio


async def test_a_build_runs_in_another_process() -> None:
    assert await HeavyWork(1).run(os.getpid) != os.getpid()


async def test_a_build_past_its_budget_is_stopped_and_the_next_one_runs() -> None:
    heavy = HeavyWork(1, seconds=0.5)
    worker = await heavy.run(os.getpid)
    with pytest.raises(ReportTooSlow):
        await heavy.run(time.sleep, 60)
    assert await heavy.run(os.getpid) != worker  # the slow worker was ended


async def test_builds_beyond_the_workers_and_queue_are_refused_at_once() -> None:
    heavy = HeavyWork(1, seconds=30, queue=1)
    ready = await heavy.run(os.getpid)  # the worker is up
    assert ready
    running = asyncio.ensure_future(heavy.run(time.sleep, 2))
    waiting = asyncio.ensure_future(heavy.run(sum, [1, 2]))
    await wait_until(lambda: heavy._asked == 2, "both builds taken")
    with pytest.raises(ReportsBusy):
        await heavy.run(sum, [3])
    await running
    assert await waiting == 3


async def test_the_web_answers_busy_and_slow_builds_with_a_sentence(built: Built) -> None:
    token = await built.service.access.create_api_token("facilitator")
    headers = {"Authorization": f"Bearer {token}"}
    code = built.session.code
    transport = httpx.ASGITransport(app=built.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        built.service.reports.heavy = HeavyWork(1, seconds=0.001)
        slow = await client.get(f"/r/{code}.xlsx?lang=en", headers=headers)
        assert slow.status_code == 503
        assert "took longer than" in slow.json()["detail"]
        assert int(slow.headers["retry-after"]) >= 1
        busy = HeavyWork(1, seconds=30, queue=0)
        built.service.reports.heavy = busy
        holding = asyncio.ensure_future(busy.run(time.sleep, 2))
        await wait_until(lambda: busy._asked == 1, "the worker is taken")
        refused = await client.get(f"/r/{code}.csv?lang=en", headers=headers)
        assert refused.status_code == 429
        assert refused.json()["detail"] == (
            "The server is busy building other reports. Try again in half a minute."
        )
        await holding
        assert (await client.get(f"/r/{code}.csv", headers=headers)).status_code == 200


async def test_a_browser_gets_the_busy_and_slow_refusals_as_a_page(built: Built) -> None:
    """A download link followed in a browser (it accepts HTML) shows the site's error page
    with the sentence, a way to try again and back to the report, still with the status
    and Retry-After; an API client asking the same gets the JSON sentence."""
    token = await built.service.access.create_api_token("facilitator")
    bearer = {"Authorization": f"Bearer {token}"}
    browser = bearer | {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    code = built.session.code
    transport = httpx.ASGITransport(app=built.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        busy = HeavyWork(1, seconds=30, queue=0)
        built.service.reports.heavy = busy
        holding = asyncio.ensure_future(busy.run(time.sleep, 2))
        await wait_until(lambda: busy._asked == 1, "the worker is taken")
        page = await client.get(f"/r/{code}.xlsx?lang=en", headers=browser)
        assert page.status_code == 429
        assert page.headers["content-type"].startswith("text/html")
        assert int(page.headers["retry-after"]) >= 1
        text = html.unescape(page.text)
        assert "The server is busy building other reports." in text
        assert f'<a href="/r/{code}.xlsx?lang=en">Try again</a>' in text
        assert f'<a href="/r/{code}">Back to the report</a>' in text
        api = await client.get(f"/r/{code}.xlsx?lang=en", headers=bearer)
        assert api.status_code == 429 and int(api.headers["retry-after"]) >= 1
        assert api.json()["detail"].startswith("The server is busy building other reports.")
        await holding

        built.service.reports.heavy = HeavyWork(1, seconds=0.001)
        slow = await client.get(f"/r/{code}.pdf?lang=nl", headers=browser)
        assert slow.status_code == 503 and int(slow.headers["retry-after"]) >= 1
        assert slow.headers["content-type"].startswith("text/html")
        assert "Dit bestand maken duurde langer dan" in html.unescape(slow.text)
        assert f'<a href="/r/{code}">Terug naar het verslag</a>' in html.unescape(slow.text)
