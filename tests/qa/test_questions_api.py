"""Q&A over the API: asking, upvoting, moderating, and who may do what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from denkdag.domain.questions import MAX_LENGTH
from denkdag.storage.tables import question_votes, questions

pytestmark = pytest.mark.anyio


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ask(run: Any, token: str, text: object) -> httpx.Response:
    return await run.client.post(
        f"/api/v1/sessions/{run.code}/questions", json={"text": text}, headers=bearer(token)
    )


async def listing(run: Any, headers: dict[str, str]) -> dict[str, Any]:
    response = await run.client.get(f"/api/v1/sessions/{run.code}/questions", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def patch(run: Any, question_id: int, body: dict[str, Any]) -> httpx.Response:
    return await run.client.patch(
        f"/api/v1/sessions/{run.code}/questions/{question_id}",
        json=body,
        headers=run.facilitator(),
    )


async def vote(run: Any, token: str, question_id: int) -> httpx.Response:
    return await run.client.post(
        f"/api/v1/sessions/{run.code}/questions/{question_id}/vote", headers=bearer(token)
    )


async def test_approve_first_hides_a_question_until_approved(qa_session: Any) -> None:
    run = await qa_session(None)
    asker, other = await run.join(), await run.join()
    asked = await ask(run, asker, "  Wanneer is de pauze?  ")
    assert asked.status_code == 201, asked.text
    question = asked.json()
    assert question["text"] == "Wanneer is de pauze?"
    assert question["status"] == "pending"
    assert (await listing(run, bearer(other)))["questions"] == []
    everything = await listing(run, run.facilitator())
    assert [q["id"] for q in everything["questions"]] == [question["id"]]
    assert everything["mode"] == "approve-first"
    assert (await vote(run, other, question["id"])).status_code == 404

    approved = await patch(run, question["id"], {"status": "approved"})
    assert approved.status_code == 200, approved.text
    seen = await listing(run, bearer(other))
    assert [(q["text"], q["votes"], q["voted"]) for q in seen["questions"]] == [
        ("Wanneer is de pauze?", 0, False)
    ]


async def test_votes_toggle_one_per_participant_and_order_the_list(qa_session: Any) -> None:
    run = await qa_session("show-at-once")
    first, second, third = await run.join(), await run.join(), await run.join()
    older = (await ask(run, first, "Eerste vraag")).json()
    newer = (await ask(run, second, "Tweede vraag")).json()
    assert older["status"] == newer["status"] == "approved"

    for token in (first, third):
        reply = await vote(run, token, newer["id"])
        assert reply.json() == {"id": newer["id"], "votes": reply.json()["votes"], "voted": True}
    assert (await vote(run, third, newer["id"])).json() == {
        "id": newer["id"],
        "votes": 1,
        "voted": False,
    }
    again = await vote(run, third, newer["id"])
    assert again.json()["votes"] == 2

    seen = await listing(run, bearer(first))
    assert [(q["id"], q["votes"], q["voted"]) for q in seen["questions"]] == [
        (newer["id"], 2, True),
        (older["id"], 0, False),
    ]


async def test_facilitator_hides_marks_answered_and_puts_one_on_screen(qa_session: Any) -> None:
    run = await qa_session("show-at-once")
    token = await run.join()
    one = (await ask(run, token, "Een")).json()
    two = (await ask(run, token, "Twee")).json()

    assert (await patch(run, one["id"], {"on_screen": True})).json()["on_screen"] is True
    moved = await patch(run, two["id"], {"on_screen": True, "answered": True})
    assert moved.json()["on_screen"] is moved.json()["answered"] is True
    board = await listing(run, bearer(token))
    assert board["on_screen"]["id"] == two["id"]
    assert {q["id"]: q["on_screen"] for q in board["questions"]} == {
        one["id"]: False,
        two["id"]: True,
    }

    hidden = await patch(run, two["id"], {"status": "hidden"})
    assert hidden.json()["on_screen"] is False
    board = await listing(run, bearer(token))
    assert [q["id"] for q in board["questions"]] == [one["id"]]
    assert board["on_screen"] is None
    assert (await vote(run, token, two["id"])).status_code == 404
    assert len((await listing(run, run.facilitator()))["questions"]) == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "Your question is empty; type something first."),
        ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH} are allowed"),
        ("bell \x07", "a control character (U+0007)"),
        (12, "'text': Input should be a valid string."),
        ("Wat een STOM idee", "a word the facilitator does not allow"),
    ],
)
async def test_bad_questions_are_refused_with_a_reason(
    qa_session: Any, text: object, reason: str
) -> None:
    run = await qa_session(None)
    response = await ask(run, await run.join(), text)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    assert (await listing(run, run.facilitator()))["questions"] == []


async def test_bad_moderation_is_refused(qa_session: Any) -> None:
    run = await qa_session(None)
    question = (await ask(run, await run.join(), "Vraag")).json()
    for body, status in (
        ({}, 422),
        ({"status": "gone"}, 422),
        ({"answered": "maybe"}, 422),
        ({"colour": "red"}, 422),
    ):
        response = await patch(run, question["id"], body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["detail"]
    assert (await patch(run, 999_999, {"status": "approved"})).status_code == 404


async def test_roles_and_sessions_are_kept_apart(qa_session: Any) -> None:
    run = await qa_session("show-at-once")
    elsewhere = await qa_session("show-at-once")
    token = await run.join()
    stranger = await elsewhere.join()
    question = (await ask(run, token, "Vraag")).json()

    assert (await ask(run, stranger, "Van elders")).status_code == 403
    assert (await vote(run, stranger, question["id"])).status_code == 403
    no_token = await run.client.get(f"/api/v1/sessions/{run.code}/questions")
    assert no_token.status_code == 403
    as_participant = await run.client.patch(
        f"/api/v1/sessions/{run.code}/questions/{question['id']}",
        json={"status": "hidden"},
        headers=bearer(token),
    )
    assert as_participant.status_code == 403
    other_user = await run.service.access.create_api_token("someone-else")
    not_owner = await run.client.patch(
        f"/api/v1/sessions/{run.code}/questions/{question['id']}",
        json={"status": "hidden"},
        headers=bearer(other_user),
    )
    assert not_owner.status_code == 403
    # a question id of another session is not found through this session
    assert (await patch(elsewhere, question["id"], {"status": "hidden"})).status_code == 404


async def test_a_session_without_questions_answers_409(qa_session: Any) -> None:
    run = await qa_session("off")
    token = await run.join()
    response = await ask(run, token, "Mag ik iets vragen?")
    assert response.status_code == 409
    assert response.json()["detail"] == "This session takes no questions."


async def test_deleting_the_session_deletes_its_questions_and_votes(qa_session: Any) -> None:
    run = await qa_session("show-at-once")
    token = await run.join()
    question = (await ask(run, token, "Vraag")).json()
    await vote(run, token, question["id"])
    session = await run.service.sessions.get(run.code)
    await run.service.sessions.delete(session)
    store = run.service.qa.store
    assert await store.of_session(session.id) == []
    assert await store.voted_by(session.id, 1) == set()
    async with run.service.store.engine.connect() as conn:
        for table in (questions, question_votes):
            assert (await conn.execute(select(func.count()).select_from(table))).scalar() == 0


async def test_openapi_names_the_resource_with_models(running: Any) -> None:
    spec = (await running.client.get("/api/v1/openapi.json")).json()
    paths = spec["paths"]
    base = "/api/v1/sessions/{code}/questions"
    assert set(paths[base]) == {"get", "post"}
    assert "patch" in paths[base + "/{question_id}"]
    assert "post" in paths[base + "/{question_id}/vote"]
    ok = paths[base]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/QuestionBoard")


async def test_questions_share_the_answers_rate_limit(qa_session: Any) -> None:
    run = await qa_session("show-at-once")
    token = await run.join()
    statuses: list[int] = []
    while 429 not in statuses and len(statuses) < 500:
        statuses.append((await ask(run, token, f"Vraag {len(statuses)}")).status_code)
    assert statuses[-1] == 429 and set(statuses[:-1]) == {201}
    assert len(statuses) > 30  # the burst of answers, then a few a second
    other = await run.join()
    assert (await ask(run, other, "Een andere deelnemer")).status_code == 201
