"""Q&A without JavaScript: a phone asks and votes with plain forms, the facilitator
moderates on the remote's Q&A page, and the projector page carries the banner."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text
    return found.group(1)


async def join_by_form(client: httpx.AsyncClient, code: str) -> str:
    page = await client.get(f"/j/{code}")
    joined = await client.post(f"/j/{code}/join", data={"csrf_token": csrf(page)})
    assert joined.status_code == 303
    phone = await client.get(f"/j/{code}")
    assert f'href="/j/{code}/questions"' in phone.text
    return csrf(phone)


async def test_phone_asks_and_votes_and_remote_moderates_with_forms(qa_session: Any) -> None:
    run = await qa_session(None)
    client = run.client
    token = await join_by_form(client, run.code)

    asked = await client.post(
        f"/j/{run.code}/questions", data={"csrf_token": token, "text": "Is er <koffie>?"}
    )
    assert asked.status_code == 303
    assert asked.headers["location"].endswith("#asked-pending")
    page = await client.get(f"/j/{run.code}/questions")
    # Pending: not in the room's list yet, but the asker sees it, marked as waiting.
    assert 'id="qa-list"' in page.text
    room_list = page.text.split('id="qa-list"', 1)[1]
    assert "Is er" not in room_list
    waiting = page.text.split('id="qa-waiting-list"', 1)[1].split("</ul>", 1)[0]
    assert "<bdi>Is er &lt;koffie&gt;?</bdi>" in waiting
    stranger = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with stranger:
        await join_by_form(stranger, run.code)
        assert "koffie" not in (await stranger.get(f"/j/{run.code}/questions")).text

    user = await run.service.store.ensure_user("facilitator")
    link = await run.service.access.create_signin_link(user)
    facilitator = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with facilitator:
        await facilitator.get(f"/signin/{link}")
        remote = await facilitator.get(f"/c/{run.code}")
        assert f'href="/c/{run.code}/questions"' in remote.text
        listing = await facilitator.get(f"/c/{run.code}/questions")
        assert "<bdi>Is er &lt;koffie&gt;?</bdi>" in listing.text
        question_id = int(re.search(r'id="question-(\d+)"', listing.text).group(1))  # type: ignore[union-attr]
        for change in ("approve", "show"):
            done = await facilitator.post(
                f"/c/{run.code}/questions/{question_id}",
                data={"csrf_token": csrf(listing), "change": change},
            )
            assert done.status_code == 303, done.text
        fragment = await facilitator.get(f"/c/{run.code}/questions?fragment=true")
        assert "· on the projector</p>" in fragment.text
        refused = await facilitator.post(
            f"/c/{run.code}/questions/{question_id}", data={"change": "hide"}
        )
        assert refused.status_code == 403
        presenter = await facilitator.get(f"/p/{run.code}")
        assert 'id="qa-banner"' in presenter.text and "qa_projector.js" in presenter.text

    page = await client.get(f"/j/{run.code}/questions")
    assert "<bdi>Is er &lt;koffie&gt;?</bdi>" in page.text
    voted = await client.post(
        f"/j/{run.code}/questions/{question_id}/vote", data={"csrf_token": csrf(page)}
    )
    assert voted.status_code == 303
    board = await client.get(f"/api/v1/sessions/{run.code}/questions", headers=run.facilitator())
    assert board.json()["questions"][0]["votes"] == 1
    assert board.json()["on_screen"]["id"] == question_id


async def test_a_refused_question_keeps_the_draft_and_says_why(qa_session: Any) -> None:
    run = await qa_session(None)
    token = await join_by_form(run.client, run.code)
    refused = await run.client.post(
        f"/j/{run.code}/questions", data={"csrf_token": token, "text": "Wat een stom <plan>"}
    )
    assert refused.status_code == 422
    assert "Wat een stom &lt;plan&gt;</textarea>" in refused.text
    assert "holds a word the facilitator does not allow here" in refused.text
    no_csrf = await run.client.post(f"/j/{run.code}/questions", data={"text": "Vraag"})
    assert no_csrf.status_code == 403
