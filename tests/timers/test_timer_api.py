"""Slide timers through the API, on the server's clock set by the test (no sleeping): a
vote after the deadline is the same 409 as a closed slide, also on the vote fast path and
before any background task ran; the deadline travels in the `state` with the server's
time; the background close stores and announces the closed slide once; only a facilitator
starts a timer; bad values are 422 with a reason; the batched writer refuses a write that
reaches it after the deadline."""

from __future__ import annotations

from typing import Any

import pytest

from denkdag.domain import timer
from denkdag.storage.answer_writes import STALE, STORED, AnswerWrite
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio

CLOSED = "Voting on this slide is closed."


async def control(running: Any, body: dict[str, Any]) -> Any:
    return await running.client.post(
        f"/api/v1/sessions/{running.code}/control", json=body, headers=running.facilitator()
    )


async def started(timed: Any, slide: str = "quick") -> dict[str, Any]:
    assert (await timed.control("goto", slide)).status_code == 200
    response = await control(timed, {"action": "timer-start"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_start_returns_the_deadline_on_the_servers_clock(timed: Any, clock: Any) -> None:
    body = await started(timed)
    assert body["server_time"] == clock.now
    (countdown,) = body["timers"]
    assert countdown == {
        "slide": "quick",
        "running": True,
        "ends_at": clock.now + 2,
        "remaining": 2,
        "duration": 2,
        "closes": True,
        "fired": False,
    }
    public = (await timed.client.get(f"/api/v1/sessions/{timed.code}")).json()
    assert public["timers"] == body["timers"] and public["server_time"] == clock.now
    assert public["pace"] == "presenter"
    slide = next(s for s in public["slides"] if s["id"] == "quick")
    assert (slide["timer"], slide["timer_closes"]) == (2, True)


async def test_a_vote_after_the_deadline_is_409_like_a_closed_slide(timed: Any, clock: Any) -> None:
    token = await timed.join()
    await started(timed)
    clock.advance(1.5)
    assert (await timed.answer(token, "quick", "a")).status_code == 200
    clock.advance(0.5)  # the deadline, to the microsecond; no background task has run
    late = await timed.answer(token, "quick", "b")
    assert late.status_code == 409 and late.json() == {"detail": CLOSED}
    # The fast path answers the same (tests/web/test_fast_paths.py shows it takes this
    # request); the route does too, for a request the fast path hands over.
    odd = await timed.client.put(
        f"/api/v1/sessions/{timed.code}/slides/quick/response",
        content=b'{"value": "b"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json; x=1"},
    )
    assert odd.status_code == 409 and odd.json() == {"detail": CLOSED}
    results = await timed.results()
    assert results["quick"]["counts"] == {"a": 1, "b": 0}
    # A facilitator's close gives the very same answer.
    await timed.control("goto", "slow")
    await timed.control("close")
    closed = await timed.answer(token, "slow", "agree")
    assert closed.status_code == 409 and closed.json() == {"detail": CLOSED}


async def test_a_timer_that_does_not_close_leaves_voting_open(timed: Any, clock: Any) -> None:
    token = await timed.join()
    await started(timed, "slow")
    clock.advance(10_000)
    assert (await timed.answer(token, "slow", "agree")).status_code == 200


async def test_the_background_close_stores_and_announces_once(timed: Any, clock: Any) -> None:
    svc = timed.service
    await started(timed)
    session = await svc.sessions.get(timed.code)
    hub = svc.broadcaster.hub
    subscription = hub.subscribe(f"session:{session.id}")
    try:
        assert await svc.control.expire_timers(session.id) is not None  # not due: nothing changes
        assert "quick" in (await svc.sessions.get(timed.code)).state.open_slides
        clock.advance(2)
        closed = await svc.control.expire_timers(session.id)
        assert closed is not None and "quick" not in closed.state.open_slides
        stored = await svc.store.session_by_id(session.id)
        assert stored is not None and stored.state == closed.state
        again = await svc.control.expire_timers(session.id)  # another instance, a moment later
        assert again is not None and again.state.version == closed.state.version
        states = []
        while subscription.pending:
            envelope = subscription.pending.popleft()
            if envelope.event == "state":
                states.append(envelope.data)
        assert [s["open_slides"] for s in states] == [[]]
        assert states[0]["timers"][0]["fired"] is True
    finally:
        hub.unsubscribe(f"session:{session.id}", subscription)


async def test_the_app_closes_the_slide_at_the_deadline_by_itself(running: Any) -> None:
    """On the real clock: a one-second timer; the test waits for the stored state (with a
    generous bound), it does not time anything."""
    await running.control("goto", "s2")
    response = await control(running, {"action": "timer-add", "seconds": 1})
    assert response.status_code == 200, response.text
    session = await running.service.sessions.get(running.code)
    assert timer.timer_of(session.state, "s2") is not None
    # The seed's choice question has no timer_closes: nothing closes.
    assert timer.next_deadline(session.state) is None

    svc = running.service
    from denkdag.formats.deck import parse_deck

    user = await svc.store.ensure_user("facilitator")
    deck = parse_deck(
        "---\ntitle: T\n---\n# Q\nkind: choice\ntimer: 1s\ntimer_closes: yes\n\n- a\n- b\n"
    )
    quick = await svc.sessions.create(deck, user.id)
    await svc.control.apply(quick.code, user, "timer-start")

    async def closed() -> bool:
        stored = await svc.store.session_by_id(quick.id)
        assert stored is not None
        return "s1" not in stored.state.open_slides

    await wait_until(closed, "the background task closes the slide")
    stored = await svc.store.session_by_id(quick.id)
    assert stored is not None
    assert (await svc.sessions.get(quick.code)).state == stored.state


async def test_timer_controls_need_a_facilitator(timed: Any) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}):
        response = await timed.client.post(
            f"/api/v1/sessions/{timed.code}/control",
            json={"action": "timer-start", "slide": "quick"},
            headers=headers,
        )
        assert response.status_code == 403, response.text
    token = await timed.join()
    response = await timed.client.post(
        f"/api/v1/sessions/{timed.code}/control",
        json={"action": "timer-add"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert (await timed.client.get(f"/api/v1/sessions/{timed.code}")).json()["timers"] == []


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"action": "timer-add", "seconds": 0}, 422, "'seconds'"),
        ({"action": "timer-add", "seconds": 10801}, 422, "'seconds'"),
        ({"action": "timer-add", "seconds": "soon"}, 422, "'seconds'"),
        ({"action": "timer-add", "seconds": 1.5}, 422, "'seconds'"),
        ({"action": "timer-go"}, 422, "'action'"),
        ({"action": "timer-start", "slide": "nope"}, 404, "no slide 'nope'"),
        ({"action": "timer-pause"}, 409, "timer is not running"),
    ],
)
async def test_bad_timer_requests_say_why(
    timed: Any, body: dict[str, Any], status: int, detail: str
) -> None:
    await timed.control("goto", "quick")
    response = await control(timed, body)
    assert response.status_code == status, response.text
    assert detail in response.json()["detail"]


async def test_a_slide_without_a_timer_needs_seconds(running: Any, clock: Any) -> None:
    await running.control("goto", "s2")
    response = await control(running, {"action": "timer-start"})
    assert response.status_code == 409 and "no timer" in response.json()["detail"]
    response = await control(running, {"action": "timer-start", "seconds": 45})
    assert response.status_code == 200
    assert response.json()["timers"][0]["ends_at"] == clock.now + 45


async def test_pause_add_and_stop_through_the_api(timed: Any, clock: Any) -> None:
    await started(timed, "slow")
    clock.advance(30)
    paused = (await control(timed, {"action": "timer-pause"})).json()["timers"][0]
    assert (paused["running"], paused["remaining"]) == (False, 60)
    added = (await control(timed, {"action": "timer-add"})).json()["timers"][0]
    assert added["remaining"] == 90
    resumed = (await control(timed, {"action": "timer-start"})).json()["timers"][0]
    assert resumed["ends_at"] == clock.now + 90
    assert (await control(timed, {"action": "timer-stop"})).json()["timers"] == []


async def test_the_state_survives_a_reload_from_the_database(timed: Any, clock: Any) -> None:
    await started(timed)
    session = await timed.service.sessions.get(timed.code)
    stored = await timed.service.store.session_by_id(session.id)
    assert stored is not None and stored.state.timers == session.state.timers


async def test_the_writer_refuses_a_write_that_reaches_it_after_the_deadline(
    timed: Any,
) -> None:
    """The batched writer's own check: a write queued before the deadline but reaching the
    transaction after it is not stored (the service then refuses it as closed)."""
    svc = timed.service
    session = await svc.sessions.get(timed.code)
    participant = await svc.participation.participant(timed.code, await timed.join())
    version = session.state.version
    base = (session.id, "quick", participant.id, "a", version)
    late = await svc.store.write_answer(AnswerWrite(*base, deadline=1.0))
    assert late.status == STALE
    assert await svc.store.answer_of(participant.id, "quick") is None
    fine = await svc.store.write_answer(AnswerWrite(*base, deadline=4_000_000_000.0))
    assert fine.status == STORED
