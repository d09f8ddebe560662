"""The quiz through the API: nicknames (200, 422, 409, per session, gone with the
session and at the retention purge), results that tell the right answer only once
revealed, the leaderboard's order and who may read it, late answers refused, and a room
of 200 API participants."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from denkdag.storage.quiz import QuizStore

pytestmark = pytest.mark.anyio


def data_of(frame: bytes) -> dict[str, Any]:
    """The JSON of one SSE frame."""
    data: dict[str, Any] = json.loads(frame.decode().split("data: ", 1)[1])
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def nickname(quizzing: Any, token: str, name: object) -> Any:
    return await quizzing.client.put(
        f"/api/v1/sessions/{quizzing.code}/nickname", json={"nickname": name}, headers=bearer(token)
    )


async def board(quizzing: Any, headers: dict[str, str] | None = None) -> Any:
    return await quizzing.client.get(
        f"/api/v1/sessions/{quizzing.code}/leaderboard", headers=headers or quizzing.facilitator()
    )


async def test_nicknames_are_checked_and_unique_in_the_session(quizzing: Any) -> None:
    ann, bob = await quizzing.join(), await quizzing.join()
    chosen = await nickname(quizzing, ann, "  Ann  ")
    assert chosen.status_code == 200 and chosen.json() == {"nickname": "Ann"}
    taken = await nickname(quizzing, bob, "ANN")
    assert taken.status_code == 409 and "already has the nickname" in taken.json()["detail"]
    for bad, says in (
        ("stom ding", "does not allow"),  # the deck bans "stom"
        ("x" * 25, "at most 24"),
        ("a\u0007b", "holds"),
        ("", "empty"),
    ):
        refused = await nickname(quizzing, bob, bad)
        assert refused.status_code == 422 and says in refused.json()["detail"], bad
    assert (await nickname(quizzing, bob, "Bob")).status_code == 200
    assert (await nickname(quizzing, ann, "Anna")).status_code == 200  # a change frees Ann
    assert (await nickname(quizzing, bob, "ann")).status_code == 200
    anonymous = await quizzing.client.put(
        f"/api/v1/sessions/{quizzing.code}/nickname", json={"nickname": "Cas"}
    )
    assert anonymous.status_code == 403


async def test_the_right_answer_is_told_only_once_revealed(quizzing: Any) -> None:
    ann, bob = await quizzing.join(), await quizzing.join()
    assert (await quizzing.control("goto", "q1")).status_code == 200
    await quizzing.answer(ann, "q1", "b")
    await quizzing.answer(bob, "q1", "a")
    before = (await quizzing.results())["q1"]
    assert before["counts"] == {"a": 1, "b": 1, "c": 0, "d": 0}
    assert "correct" not in before and "right" not in before
    public = (await quizzing.client.get(f"/api/v1/sessions/{quizzing.code}")).json()
    q1 = next(slide for slide in public["slides"] if slide["id"] == "q1")
    assert "correct" not in q1 and "correct" not in q1.get("extra", {})
    assert q1["points"] == 1000 and q1["timer_closes"] is True
    assert public["revealed"] == {}  # a quiz is not revealed by itself
    quizzing.client.cookies.set(f"dd_p_{quizzing.code}", ann)
    phone = await quizzing.client.get(f"/j/{quizzing.code}/slide")
    assert "Brussel" in phone.text and "The right answer" not in phone.text
    assert (await quizzing.control("reveal", "q1")).status_code == 200
    after = (await quizzing.results())["q1"]
    assert after["correct"] == ["b"] and after["right"] == 1
    public = (await quizzing.client.get(f"/api/v1/sessions/{quizzing.code}")).json()
    assert public["revealed"]["q1"]["correct"] == ["b"] and public["revealed"]["q1"]["right"] == 1


async def test_the_leaderboard_orders_players_and_opens_to_participants_when_shown(
    quizzing: Any,
) -> None:
    ann, bob, cas, anonymous = [await quizzing.join() for _ in range(4)]
    for token, name in ((ann, "Ann"), (bob, "Bob"), (cas, "Cas")):
        assert (await nickname(quizzing, token, name)).status_code == 200
    await quizzing.control("goto", "q1")
    await quizzing.answer(cas, "q1", "b")  # right, first
    await quizzing.answer(ann, "q1", "b")  # right, later
    await quizzing.answer(bob, "q1", "c")  # wrong
    await quizzing.answer(anonymous, "q1", "b")  # right, but on no leaderboard
    await quizzing.control("goto", "q2")
    await quizzing.answer(bob, "q2", "a")  # wrong again
    await quizzing.answer(ann, "q2", "c")  # right
    assert (await board(quizzing, bearer(ann))).status_code == 403  # not shown yet
    await quizzing.control("reveal", "q1")
    # Only revealed questions count: Ann's right answer on q2 is not told yet.
    early = (await board(quizzing)).json()["players"]
    assert [p["nickname"] for p in early] == ["Cas", "Ann", "Bob"]
    await quizzing.control("reveal", "q2")
    standings = (await board(quizzing)).json()
    players = standings["players"]
    assert [p["nickname"] for p in players] == ["Ann", "Cas", "Bob"]
    assert [p["rank"] for p in players] == [1, 2, 3]
    assert 1000 < players[0]["points"] <= 2000 and 500 <= players[1]["points"] <= 1000
    assert players[2]["points"] == 0
    assert standings["teams"] == []  # nobody answered the profile question
    await quizzing.control("goto", "board1")
    shown = await board(quizzing, bearer(anonymous))
    assert shown.status_code == 200 and shown.json()["players"] == players
    projector = await quizzing.client.get(
        f"/p/{quizzing.code}/slide", headers=quizzing.facilitator()
    )
    assert projector.status_code == 200
    assert projector.text.index("Ann") < projector.text.index("Cas") < projector.text.index("Bob")


async def test_teams_are_a_profile_questions_groups_of_five_or_more(quizzing: Any) -> None:
    tokens = [await quizzing.join() for _ in range(10)]
    for number, token in enumerate(tokens):
        assert (await nickname(quizzing, token, f"Speler {number}")).status_code == 200
        group = "zorg" if number < 5 else "onderwijs"
        answered = await quizzing.client.put(
            f"/api/v1/sessions/{quizzing.code}/profile",
            json={"answers": {"p1": group}},
            headers=bearer(token),
        )
        assert answered.status_code == 200, answered.text
    await quizzing.control("goto", "q1")
    for number, token in enumerate(tokens):
        await quizzing.answer(token, "q1", "b" if number < 5 else "a")
    await quizzing.control("reveal", "q1")
    teams = (await board(quizzing)).json()["teams"]
    assert [(t["team"], t["players"], t["rank"]) for t in teams] == [
        ("Zorg", 5, 1),
        ("Onderwijs", 5, 2),
    ]
    assert teams[1]["points"] == 0 and teams[0]["points"] > 500


async def test_a_late_answer_is_refused_like_a_closed_slide(quizzing: Any) -> None:
    token = await quizzing.join()
    await quizzing.control("goto", "q1")
    quizzing.service.clock = lambda: datetime.now(UTC).timestamp() + 21  # past the 20 s
    late = await quizzing.answer(token, "q1", "b")
    assert late.status_code == 409 and late.json() == {"detail": "Voting on this slide is closed."}


async def test_nicknames_go_with_the_session_and_at_the_retention_purge(quizzing: Any) -> None:
    token = await quizzing.join()
    await nickname(quizzing, token, "Ann")
    store = QuizStore(quizzing.service.store)
    session = await quizzing.service.sessions.get(quizzing.code)
    assert await store.nicknames(session.id) != {}
    assert await quizzing.service.participation.purge_answers(1) == 0
    assert await store.nicknames(session.id) != {}  # younger than the retention
    cutoff = datetime.now(UTC) + timedelta(days=1)
    assert await store.delete_nicknames_before(cutoff) == 1
    await nickname(quizzing, token, "Ann")
    await quizzing.service.sessions.delete(session)
    assert await store.nicknames(session.id) == {}


async def test_two_hundred_api_participants_play(quizzing: Any) -> None:
    tokens = [await quizzing.join() for _ in range(200)]
    await quizzing.control("goto", "q1")

    async def play(number: int, token: str) -> None:
        assert (await nickname(quizzing, token, f"p{number:03d}")).status_code == 200
        answered = await quizzing.answer(token, "q1", "b" if number % 2 else "a")
        assert answered.status_code == 200

    await asyncio.gather(*(play(number, token) for number, token in enumerate(tokens)))
    await quizzing.control("reveal", "q1")
    assert (await quizzing.results())["q1"]["right"] == 100
    players = (await board(quizzing)).json()["players"]
    assert len(players) == 200
    assert all(p["points"] > 0 for p in players[:100]) and all(
        p["points"] == 0 for p in players[100:]
    )
    assert [p["points"] for p in players] == sorted((p["points"] for p in players), reverse=True)


async def test_a_phone_without_javascript_chooses_its_nickname(quizzing: Any) -> None:
    client = quizzing.client
    page = await client.get(f"/j/{quizzing.code}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    joined = await client.post(f"/j/{quizzing.code}/join", data={"csrf_token": csrf.group(1)})
    assert joined.status_code == 303
    await client.post(
        f"/j/{quizzing.code}/profile", data={"csrf_token": csrf.group(1), "skip": "yes"}
    )
    await quizzing.control("goto", "q1")
    phone = await client.get(f"/j/{quizzing.code}")
    assert 'action="/j/' in phone.text and "/nickname" in phone.text
    refused = await client.post(
        f"/j/{quizzing.code}/nickname", data={"csrf_token": csrf.group(1), "nickname": "stom"}
    )
    assert refused.status_code == 422 and "bijnaam" in refused.text
    chosen = await client.post(
        f"/j/{quizzing.code}/nickname", data={"csrf_token": csrf.group(1), "nickname": "Ann"}
    )
    assert chosen.status_code == 303
    assert "Je speelt als Ann" in (await client.get(f"/j/{quizzing.code}")).text


async def test_the_tally_event_tells_the_right_answer_only_once_revealed(quizzing: Any) -> None:
    svc = quizzing.service
    token = await quizzing.join()
    await quizzing.control("goto", "q1")
    await quizzing.answer(token, "q1", "b")
    session = await svc.sessions.get(quizzing.code)
    topic = f"session:{session.id}"
    subscription = svc.broadcaster.hub.subscribe(topic)
    try:

        async def tally() -> tuple[dict[str, Any], dict[str, Any]]:
            await svc.results.publish(session.id, {"q1"})
            found = None
            while subscription.pending:
                envelope = subscription.pending.popleft()
                if envelope.event == "tally":
                    found = envelope
            assert found is not None
            return data_of(found.public), data_of(found.private)

        public, private = await tally()
        assert "counts" not in public and "correct" not in public
        assert private["counts"]["b"] == 1 and "correct" not in private  # the projector's too
        await quizzing.control("reveal", "q1")
        session = await svc.sessions.get(quizzing.code)
        public, private = await tally()
        assert public["correct"] == private["correct"] == ["b"] and public["right"] == 1
    finally:
        svc.broadcaster.hub.unsubscribe(topic, subscription)
