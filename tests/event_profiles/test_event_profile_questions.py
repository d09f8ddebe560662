"""Event profile questions: set on the event (API and manage page), checked
like a deck's `profile:` lines, copied into every session of the event where they win over
the deck's own, and kept there by the editor. Runs on SQLite and `--database postgresql`."""

from __future__ import annotations

from typing import Any

import pytest

from denkdag.app.editor import Editor
from denkdag.app.events import Events
from denkdag.domain.events import InvalidEvent, parse_profile
from denkdag.domain.profiles import questions_digest
from denkdag.formats.deck import parse_deck
from denkdag.formats.slide_text import SlideTextError, info_text
from harness.event_profiles import DECK, REGION, WORKPLACE

pytestmark = pytest.mark.anyio
OWN = "Eigen vraag: ja / nee"


# the questions as values ------------------------------------------------------------------


def test_event_questions_read_like_a_decks_profile_lines() -> None:
    questions = parse_profile([WORKPLACE, "", REGION])
    assert [q.id for q in questions] == ["p1", "p2"]
    assert questions[0].text == "Ik werk in"
    assert [o.id for o in questions[0].options][-2:] == ["ocmw", "andere"]
    assert questions[1].text == "Waar ligt je werkplek?"
    assert parse_profile(["", "  "]) == ()


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([WORKPLACE, REGION, OWN], "At most 2 profile questions, not 3"),
        (["Ik werk in: bibliotheek"], "question 1: a profile question is 'question: option"),
        ([WORKPLACE, "Regio: a / liever niet zeggen"], "question 2: leave out 'liever niet"),
        (["Ik werk in: a / a"], "question 1: the options 'a' and 'a' are too alike"),
        (["Vraag: " + " / ".join(f"o{i}" for i in range(13))], "2 to 12 options, not 13"),
        (["V" * 201 + ": a / b"], "at most 200 characters"),
        (["Vraag: " + "x" * 81 + " / b"], "option is at most 80 characters"),
        (["Vraag: a\x07 / b"], "control character"),
    ],
)
def test_a_wrong_event_question_is_refused_with_the_reason(lines: list[str], reason: str) -> None:
    with pytest.raises(InvalidEvent) as refused:
        parse_profile(lines)
    assert reason in refused.value.detail
    assert refused.value.detail.endswith(".")


def test_the_digest_changes_with_the_questions_not_with_blank_lines() -> None:
    first = questions_digest(parse_profile([WORKPLACE]))
    assert first == questions_digest(parse_profile(["", WORKPLACE + "  "]))
    reordered = "Ik werk in: school / bibliotheek / cultuurcentrum / OCMW / andere"
    assert first != questions_digest(parse_profile([reordered]))
    assert first != questions_digest(parse_profile([WORKPLACE, REGION]))


# the API --------------------------------------------------------------------------------


async def test_the_event_sets_its_questions_and_every_session_asks_them(olga: Any) -> None:
    event = await olga.event(profile=[WORKPLACE])
    code = event["code"]
    assert event["profile"] == [WORKPLACE]
    plenary = await olga.room(code, "Plenair", role="plenary")
    # A deck with questions of its own: the event's win, as soon as it joins the event.
    assert await olga.profile_of(plenary) == [WORKPLACE]
    # An existing session of the organiser's, added later, gets them too.
    own = await olga.running.service.sessions.create(
        parse_deck(DECK.format(title="Eigen sessie")),
        (await olga.running.service.store.user_by_name("olga")).id,
    )
    assert await olga.profile_of(own.code) == [OWN]
    added = await olga.call("POST", f"/api/v1/events/{code}/sessions", json={"session": own.code})
    assert added.status_code == 201, added.text
    assert await olga.profile_of(own.code) == [WORKPLACE]
    # Changing the event's questions changes every session's.
    changed = await olga.call(
        "PATCH", f"/api/v1/events/{code}", json={"profile": [WORKPLACE, REGION]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["profile"] == [WORKPLACE, REGION]
    for session in (plenary, own.code):
        assert await olga.profile_of(session) == [WORKPLACE, REGION]
    # Anyone sees them with the event (they are asked of everyone anyway), stored for good.
    public = (await olga.client.get(f"/api/v1/events/{code}")).json()
    assert public["profile"] == [WORKPLACE, REGION]
    fresh = await Events(olga.running.service).rows.by_code(code)
    assert fresh is not None and [q.text for q in fresh.profile] == [
        "Ik werk in",
        "Waar ligt je werkplek?",
    ]
    # The phone's API asks the event's questions.
    token = (await olga.client.post(f"/api/v1/sessions/{plenary}/participants")).json()[
        "participant_token"
    ]
    asked = await olga.client.get(
        f"/api/v1/sessions/{plenary}/profile", headers={"Authorization": f"Bearer {token}"}
    )
    assert [q["text"] for q in asked.json()["questions"]] == [
        "Ik werk in",
        "Waar ligt je werkplek?",
    ]
    # Clearing them takes them out of the sessions that asked them.
    cleared = await olga.call("PATCH", f"/api/v1/events/{code}", json={"profile": []})
    assert cleared.json()["profile"] == []
    assert await olga.profile_of(plenary) == []
    assert await olga.profile_of(own.code) == []


async def test_an_event_without_questions_leaves_the_decks_their_own(olga: Any) -> None:
    event = await olga.event()
    assert event["profile"] == []
    room = await olga.room(event["code"], "Zaal 1")
    assert await olga.profile_of(room) == [OWN]
    # Renaming the event does not touch them.
    await olga.call("PATCH", f"/api/v1/events/{event['code']}", json={"title": "Anders"})
    assert await olga.profile_of(room) == [OWN]


async def test_a_wrong_question_is_a_422_with_the_reason_and_changes_nothing(
    olga: Any,
) -> None:
    event = await olga.event(profile=[WORKPLACE])
    room = await olga.room(event["code"], "Zaal 1")
    wrong = await olga.call(
        "PATCH", f"/api/v1/events/{event['code']}", json={"profile": ["Ik werk in: school"]}
    )
    assert wrong.status_code == 422
    assert (
        "Profile question 1: a profile question is 'question: option / option"
        in (wrong.json()["detail"])
    )
    three = await olga.call(
        "PATCH", f"/api/v1/events/{event['code']}", json={"profile": [WORKPLACE, REGION, OWN]}
    )
    assert three.status_code == 422 and "At most 2 profile questions" in three.json()["detail"]
    made = await olga.call("POST", "/api/v1/events", json={"title": "X", "profile": ["nee"]})
    assert made.status_code == 422
    assert await olga.profile_of(room) == [WORKPLACE]
    # Only the organiser sets them.
    other = await olga.running.service.store.ensure_user("oscar")
    from denkdag.storage.accounts import AccountStore

    await AccountStore(olga.running.service.store).set_role(other.id, "organiser")
    oscar = await olga.running.service.access.create_api_token("oscar")
    refused = await olga.client.patch(
        f"/api/v1/events/{event['code']}",
        json={"profile": [REGION]},
        headers={"Authorization": f"Bearer {oscar}"},
    )
    assert refused.status_code == 403
    assert await olga.profile_of(room) == [WORKPLACE]


async def test_the_editor_keeps_the_events_questions(olga: Any) -> None:
    event = await olga.event(profile=[WORKPLACE])
    room = await olga.room(event["code"], "Zaal 1")
    service = olga.running.service
    user = await service.store.user_by_name("olga")
    editor = Editor(service)
    opened = await editor.open(room, user)
    text = info_text(opened.session.deck.info)
    # Other front matter changes are fine; the profile lines are the event's.
    renamed = await editor.edit_info(room, user, opened.version, text.replace("Zaal 1", "Zaal A"))
    assert renamed.session.title == "Zaal A"
    with pytest.raises(SlideTextError) as refused:
        await editor.edit_info(room, user, renamed.version, text.replace(WORKPLACE, OWN))
    assert "sets the profile questions of its sessions" in refused.value.detail
    assert f"/events/{event['code']}" in refused.value.detail
    # A session of its own joins the event: its questions become the event's (a new deck
    # version); undoing that version keeps the event's questions all the same.
    own = await service.sessions.create(parse_deck(DECK.format(title="Eigen")), user.id)
    await olga.call("POST", f"/api/v1/events/{event['code']}/sessions", json={"session": own.code})
    copied = await editor.open(own.code, user)
    assert copied.can_undo and await olga.profile_of(own.code) == [WORKPLACE]
    undone = await editor.undo(own.code, user, copied.version)
    assert [q.text for q in undone.session.deck.info.profile] == ["Ik werk in"]
    assert await olga.profile_of(own.code) == [WORKPLACE]


async def test_the_manage_page_sets_the_questions_and_says_what_is_wrong(
    olga: Any, phones: Any
) -> None:
    from contextlib import AsyncExitStack

    event = await olga.event()
    room = await olga.room(event["code"], "Zaal 1")
    user = await olga.running.service.store.user_by_name("olga")
    link = await olga.running.service.access.create_signin_link(user)
    browser = phones()
    async with AsyncExitStack():
        assert (await browser.client.get(f"/signin/{link}")).status_code == 303
        page = await browser.client.get(f"/events/{event['code']}")
        assert 'id="profile"' in page.text and 'name="profile1"' in page.text
        url = f"/events/{event['code']}/profile"
        wrong = await browser.post(url, {"profile1": "Ik werk in school", "profile2": ""})
        assert wrong.status_code == 422
        assert 'id="profile-error"' in wrong.text and "Profile question 1" in wrong.text
        assert 'value="Ik werk in school"' in wrong.text  # the typed text stays
        saved = await browser.post(url, {"profile1": WORKPLACE, "profile2": REGION})
        assert saved.status_code == 303 and saved.headers["location"].endswith("#profile")
        assert await olga.profile_of(room) == [WORKPLACE, REGION]
        shown = await browser.client.get(f"/events/{event['code']}")
        assert f'value="{REGION}"' in shown.text
        # A stranger's form (no CSRF token) is refused before anything is read.
        foreign = await browser.client.post(url, data={"profile1": OWN})
        assert foreign.status_code == 403
        assert await olga.profile_of(room) == [WORKPLACE, REGION]
