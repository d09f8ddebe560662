"""Audience pace (a survey) through the API and the pages: every question is open to
every participant at once; in presenter pace only the open slides are; closing the
survey closes them all (facilitators only); the phone shows the participant's own slide
with previous/next and progress, also without JavaScript; the projector shows progress,
and the `progress` event keeps it live."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness.waiting import wait_until

pytestmark = pytest.mark.anyio

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CLOSED = "Voting on this slide is closed."


async def test_every_question_is_open_at_audience_pace(survey: Any) -> None:
    public = (await survey.client.get(f"/api/v1/sessions/{survey.code}")).json()
    assert public["pace"] == "audience"
    assert public["open_slides"] == ["agree", "how", "word"]
    token = await survey.join()
    for slide, value in (("word", ["koffie"]), ("how", "b"), ("agree", "agree")):
        response = await survey.answer(token, slide, value)
        assert response.status_code == 200, response.text
    info = await survey.answer(token, "intro", "a")
    assert info.status_code == 409
    results = await survey.results()
    assert results["how"]["respondents"] == results["agree"]["respondents"] == 1


async def test_presenter_pace_takes_answers_on_open_slides_only(running: Any) -> None:
    token = await running.join()
    # The seed starts on its title slide; its first question has not been shown.
    refused = await running.answer(token, "s4", "a")
    assert refused.status_code == 409 and refused.json() == {"detail": CLOSED}
    await running.control("goto", "s4")
    assert (await running.answer(token, "s4", "a")).status_code == 200


async def test_closing_the_survey_closes_every_question(survey: Any) -> None:
    token = await survey.join()
    refused = await survey.client.post(
        f"/api/v1/sessions/{survey.code}/control",
        json={"action": "close-all"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 403
    assert (await survey.answer(token, "how", "a")).status_code == 200
    closed = await survey.control("close-all")
    assert closed.status_code == 200 and closed.json()["open_slides"] == []
    for slide, value in (("how", "b"), ("agree", "pass"), ("word", ["thee"])):
        response = await survey.answer(token, slide, value)
        assert response.status_code == 409 and response.json() == {"detail": CLOSED}
    assert (await survey.results())["how"]["counts"] == {"a": 1, "b": 0}
    reopened = await survey.control("open-all")
    assert reopened.json()["open_slides"] == ["agree", "how", "word"]
    assert (await survey.answer(token, "how", "b")).status_code == 200


async def test_the_phone_goes_through_the_slides_without_javascript(survey: Any) -> None:
    client = survey.client
    page = await client.get(f"/j/{survey.code}")
    joined = await client.post(
        f"/j/{survey.code}/join", data={"csrf_token": CSRF.search(page.text).group(1)}
    )
    assert joined.status_code == 303
    first = await client.get(f"/j/{survey.code}")
    assert "Welkom bij de bevraging" in first.text
    assert f'href="/j/{survey.code}?slide=how"' in first.text  # next
    assert "Dia 1 van 5" in first.text and "0 van 3 beantwoord" in first.text
    how = await client.get(f"/j/{survey.code}?slide=how")
    assert "Hoe wil je samenwerken?" in how.text
    assert f'href="/j/{survey.code}?slide=intro"' in how.text  # previous
    assert f'href="/j/{survey.code}?slide=agree"' in how.text  # next
    token = CSRF.search(how.text).group(1)
    answered = await client.post(
        f"/j/{survey.code}/answer", data={"csrf_token": token, "slide": "how", "value": "b"}
    )
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/j/{survey.code}?slide=how#answered"
    again = await client.get(f"/j/{survey.code}?slide=how")
    assert re.search(r'value="b" class="choice chosen"', again.text)
    assert "1 van 3 beantwoord" in again.text
    # Coming back without a slide: the first question still to answer.
    resumed = await client.get(f"/j/{survey.code}")
    assert "Akkoord of niet akkoord?" in resumed.text
    fragment = await client.get(f"/j/{survey.code}/slide?slide=word")
    assert "Eén woord?" in fragment.text and 'class="pace-nav"' in fragment.text
    last = await client.get(f"/j/{survey.code}?slide=thanks")
    assert "Dit was de laatste dia. Bedankt!" in last.text
    # A closed survey says so on the phone, and a form answer is refused.
    await survey.control("close-all")
    closed = await client.get(f"/j/{survey.code}?slide=how")
    assert "De bevraging is gesloten." in closed.text
    refused = await client.post(
        f"/j/{survey.code}/answer", data={"csrf_token": token, "slide": "agree", "value": "agree"}
    )
    assert refused.status_code == 409
    assert "Akkoord of niet akkoord?" in refused.text  # the same slide, with the reason


async def test_the_projector_shows_progress_and_the_event_keeps_it_live(survey: Any) -> None:
    svc = survey.service
    session = await svc.sessions.get(survey.code)
    subscription = svc.broadcaster.hub.subscribe(f"session:{session.id}")
    try:
        tokens = [await survey.join() for _ in range(3)]
        for token in tokens:
            assert (await survey.answer(token, "how", "a")).status_code == 200
        for slide, value in (("agree", "agree"), ("word", ["samen"])):
            assert (await survey.answer(tokens[0], slide, value)).status_code == 200
        progress = await svc.results.progress(session)
        assert progress == {
            "joined": 3,
            "questions": 3,
            "finished": 1,
            "slides": {"how": 3, "agree": 1, "word": 1},
        }
        seen: dict[str, Any] = {}

        def latest_progress() -> dict[str, Any]:
            nonlocal seen
            while subscription.pending:
                envelope = subscription.pending.popleft()
                if envelope.event == "progress":
                    seen = envelope.data
            return seen

        await wait_until(lambda: latest_progress() == progress, "the progress event goes out")
    finally:
        svc.broadcaster.hub.unsubscribe(f"session:{session.id}", subscription)
    page = await survey.client.get(f"/p/{survey.code}", headers=survey.facilitator())
    assert page.status_code == 200, page.text
    assert 'class="slide pace-progress"' in page.text
    assert re.search(
        r'<strong id="pace-finished">1</strong> / <strong id="pace-joined">3</strong>', page.text
    )
    assert re.search(r'data-slide="how">.*?<strong>3</strong>', page.text, re.S)
    remote = await survey.client.get(f"/c/{survey.code}", headers=survey.facilitator())
    assert 'value="close-all"' in remote.text
