"""Where results show (`phone_results`) and Next closing the question left behind
(`next_closes`): the deck format, the facilitator's settings, and what reaches phones
(the public session view, the phone's page, live `tally` and `state` events)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from denkdag.formats.deck import DeckError, parse_deck, write_deck
from denkdag.live.hub import Envelope
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio

DECK = """---
title: Zichtbaarheid
phone_results: never
next_closes: yes
---

# Kies
kind: choice

- **Ja**
- **Nee**
"""


def test_deck_format_reads_and_writes_both_settings() -> None:
    deck = parse_deck(DECK)
    assert deck.info.phone_results == "never"
    assert deck.info.next_closes == "yes"
    assert parse_deck(write_deck(deck)) == deck
    with pytest.raises(DeckError, match="phone_results must be one of"):
        parse_deck(DECK.replace("phone_results: never", "phone_results: sometimes"))
    with pytest.raises(DeckError, match="next_closes must be yes or no"):
        parse_deck(DECK.replace("next_closes: yes", "next_closes: maybe"))


async def _settings(running: Any, phone_results: str, next_closes: str = "no") -> Any:
    return await running.client.put(
        f"/api/v1/sessions/{running.code}/settings",
        json={"phone_results": phone_results, "next_closes": next_closes},
        headers=running.facilitator(),
    )


async def _phone_fragment(running: Any, token: str) -> str:
    response = await running.client.get(
        f"/j/{running.code}/slide", headers={"Cookie": f"dd_p_{running.code}={token}"}
    )
    assert response.status_code == 200, response.text
    return response.text


async def test_settings_need_a_facilitator_and_a_known_value(running) -> None:
    stranger = await running.client.put(
        f"/api/v1/sessions/{running.code}/settings", json={"phone_results": "never"}
    )
    assert stranger.status_code in (401, 403)
    wrong = await _settings(running, "sometimes")
    assert wrong.status_code == 422
    done = await _settings(running, "never", "yes")
    assert done.status_code == 200
    assert done.json() == {"phone_results": "never", "next_closes": "yes"}
    view = (await running.client.get(f"/api/v1/sessions/{running.code}")).json()
    assert (view["phone_results"], view["next_closes"]) == ("never", "yes")


async def test_projector_only_keeps_counts_off_every_phone(running) -> None:
    envelopes: list[Envelope] = []
    running.service.broadcaster.hub.add_listener(lambda _topic, env: envelopes.append(env))
    assert (await _settings(running, "never")).status_code == 200
    await running.control("goto", "s4")  # results: live, so revealed at once
    token = await running.join()
    assert (await running.answer(token, "s4", "a")).status_code == 200

    public = (await running.client.get(f"/api/v1/sessions/{running.code}")).json()
    assert public["revealed"]["s4"] == {"slide": "s4", "respondents": 1, "counts": None}
    assert (await running.results())["s4"]["counts"] == {"a": 1, "b": 0, "c": 0}
    assert 'class="results"' not in await _phone_fragment(running, token)
    projector = await running.client.get(f"/p/{running.code}/slide", headers=running.facilitator())
    assert 'class="results"' in projector.text

    def tallies() -> list[Envelope]:
        return [e for e in envelopes if e.event == "tally"]

    await wait_until(lambda: bool(tallies()), "a tally event for the answer")
    for envelope in tallies():
        assert "counts" not in _payload(envelope.public)
        assert _payload(envelope.private)["counts"] == {"a": 1, "b": 0, "c": 0}
    states = [e for e in envelopes if e.event == "state"]
    session = await running.service.sessions.get(running.code)  # a new stream's first state
    opening = await running.service.views.opening(session, facilitator=False)
    assert "counts" not in opening["revealed"]["s4"]
    facilitating = await running.service.views.opening(session, facilitator=True)
    assert facilitating["revealed"]["s4"]["counts"] == {"a": 1, "b": 0, "c": 0}
    public_states = [_payload(e.public)["revealed"] for e in states]
    assert public_states and all("counts" not in r.get("s4", {}) for r in public_states)
    assert any("counts" in _payload(e.private)["revealed"].get("s4", {}) for e in states)


async def test_after_answer_shows_results_to_those_who_answered(running) -> None:
    assert (await _settings(running, "after-answer")).status_code == 200
    await running.control("goto", "s4")
    voter, waiter = await running.join(), await running.join()
    assert (await running.answer(voter, "s4", "b")).status_code == 200
    assert 'class="results"' in await _phone_fragment(running, voter)
    assert 'class="results"' not in await _phone_fragment(running, waiter)
    public = (await running.client.get(f"/api/v1/sessions/{running.code}")).json()
    assert public["revealed"]["s4"]["counts"] is None  # one payload for all: none
    assert (await _settings(running, "with-projector")).status_code == 200
    assert 'class="results"' in await _phone_fragment(running, waiter)


async def test_next_closes_the_question_left_behind_when_chosen(running) -> None:
    await running.control("goto", "s4")
    moved = await running.control("next")
    assert "s4" in moved.json()["open_slides"]  # the default: it stays open
    assert (await _settings(running, "with-projector", "yes")).status_code == 200
    await running.control("goto", "s7")
    assert "s7" in (await running.control("open")).json()["open_slides"]
    left = (await running.control("next")).json()
    assert "s7" not in left["open_slides"]
    assert "s4" in left["open_slides"]  # only the question just left behind closes
    back = (await running.control("previous")).json()
    assert back["current_slide"] == "s7" and "s7" not in back["open_slides"]


def _payload(frame: bytes) -> dict[str, Any]:
    data = frame.decode().split("data: ", 1)[1].strip()
    loaded: dict[str, Any] = json.loads(data)
    return loaded


MAP_DECK = """---
title: Kaart
phone_results: never
---

# Stelling
kind: statement

> De bibliotheek moet 's avonds open zijn.

# De kaart
id: map
kind: opinions
"""


async def test_projector_only_keeps_the_opinion_map_off_phones(running) -> None:
    service = running.service
    user = await service.store.ensure_user("facilitator")
    created = await service.sessions.create(parse_deck(MAP_DECK), user.id)
    token = running.facilitator_token
    moved = await running.client.post(
        f"/api/v1/sessions/{created.code}/control",
        json={"action": "goto", "slide": "map"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert "map" in moved.json()["revealed"]
    session = await service.sessions.get(created.code)
    assert (await service.opinions.view(session, facilitator=False))["shown"] is False
    changed = await running.client.put(
        f"/api/v1/sessions/{created.code}/settings",
        json={"phone_results": "with-projector"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.status_code == 200
    session = await service.sessions.get(created.code)
    assert (await service.opinions.view(session, facilitator=False))["shown"] is True
