"""Asked once per event: a phone that answered (or skipped) the event's profile questions
in one room is not asked again in another room of the same event; the answers travel in
a cookie on the phone, never on the server, and are only used for the same questions.
Breakdowns keep hiding groups under five. The home page takes event codes too."""

from __future__ import annotations

import base64
import io
import json
from csv import DictReader
from typing import Any

import pytest

from denkdag.app.events import EVENT_CODE_ALPHABET, looks_like_event_code, new_event_code
from denkdag.security import normalise_code
from denkdag.storage.events import EventStore, NewEvent
from denkdag.storage.profiles import ProfileStore
from denkdag.web.ratelimit import Limiter, Rate
from harness.event_profiles import REGION, WORKPLACE

pytestmark = pytest.mark.anyio


async def answers_in(olga: Any, session_code: str) -> list[dict[str, str | None]]:
    """Every stored profile answer of the session (no one is named in them)."""
    session = await olga.running.service.sessions.get(session_code)
    stored = await ProfileStore(olga.running.service.store).of_session(session.id)
    return list(stored.values())


def asks_profile(page: Any) -> bool:
    return 'id="profile"' in page.text and 'id="profile-form"' in page.text


async def test_answered_in_one_room_not_asked_in_the_next(olga: Any, phones: Any) -> None:
    event = await olga.event(profile=[WORKPLACE])
    first = await olga.room(event["code"], "Zaal 1")
    second = await olga.room(event["code"], "Zaal 2")
    phone = phones()
    join_page = await phone.client.get(f"/ev/{event['code']}")
    assert f"/j/{first}" in join_page.text and f"/j/{second}" in join_page.text
    asked = await phone.enter(first)
    assert asks_profile(asked) and "Ik werk in" in asked.text
    done = await phone.post(f"/j/{first}/profile", {"p1": "school"})
    assert done.status_code == 303
    cookie = f"dd_ep_{event['code']}"
    assert cookie in phone.client.cookies
    # The cookie holds the answers and the questions' digest, nothing else: no name, no id.
    carried = phone.client.cookies[cookie]
    data = json.loads(base64.urlsafe_b64decode(carried + "=" * (-len(carried) % 4)))
    assert data["a"] == {"p1": "school"} and set(data) == {"q", "a"}
    # The second room: straight to the slide, and the answer is stored there too.
    page = await phone.enter(second)
    assert page.status_code == 200 and not asks_profile(page) and 'id="phone"' in page.text
    assert await answers_in(olga, second) == [{"p1": "school"}]
    # The API says so as well (the phone's token for that room is its cookie).
    token = phone.client.cookies[f"dd_p_{second}"]
    me = await olga.client.get(
        f"/api/v1/sessions/{second}/profile", headers={"Authorization": f"Bearer {token}"}
    )
    assert me.json()["answered"] is True and me.json()["answers"] == {"p1": "school"}
    # Another phone, without that cookie, is asked.
    other = phones()
    assert asks_profile(await other.enter(second))


async def test_a_skip_counts_and_the_api_answer_sets_it_too(olga: Any, phones: Any) -> None:
    event = await olga.event(profile=[WORKPLACE, REGION])
    rooms = [await olga.room(event["code"], f"Zaal {n}") for n in (1, 2, 3)]
    skipper = phones()
    assert asks_profile(await skipper.enter(rooms[0]))
    assert (await skipper.post(f"/j/{rooms[0]}/profile", {"skip": "yes"})).status_code == 303
    assert not asks_profile(await skipper.enter(rooms[1]))
    assert await answers_in(olga, rooms[1]) == [{"p1": None, "p2": None}]
    # profile.js answers through the API: its response carries the cookie as well.
    tapper = phones()
    assert asks_profile(await tapper.enter(rooms[0]))
    token = tapper.client.cookies[f"dd_p_{rooms[0]}"]
    put = await tapper.client.put(
        f"/api/v1/sessions/{rooms[0]}/profile",
        json={"answers": {"p1": "ocmw", "p2": "limburg"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert put.status_code == 200, put.text
    assert not asks_profile(await tapper.enter(rooms[2]))
    assert {"p1": "ocmw", "p2": "limburg"} in await answers_in(olga, rooms[2])


async def test_changed_questions_or_a_forged_cookie_ask_again(olga: Any, phones: Any) -> None:
    event = await olga.event(profile=[WORKPLACE])
    first = await olga.room(event["code"], "Zaal 1")
    second = await olga.room(event["code"], "Zaal 2")
    third = await olga.room(event["code"], "Zaal 3")
    phone = phones()
    await phone.enter(first)
    await phone.post(f"/j/{first}/profile", {"p1": "bibliotheek"})
    # The organiser adds a question: the earlier answer was to other questions.
    await olga.call(
        "PATCH", f"/api/v1/events/{event['code']}", json={"profile": [WORKPLACE, REGION]}
    )
    assert asks_profile(await phone.enter(second))
    assert await answers_in(olga, second) == []
    # A cookie made by hand with an option the questions do not have is not used.
    cookie = f"dd_ep_{event['code']}"
    await phone.post(f"/j/{second}/profile", {"p1": "school", "p2": "brussel"})
    real = phone.client.cookies[cookie]
    data = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    forged = {"q": data["q"], "a": {"p1": "nergens"}}
    phone.client.cookies.delete(cookie)
    phone.client.cookies.set(cookie, base64.urlsafe_b64encode(json.dumps(forged).encode()).decode())
    assert asks_profile(await phone.enter(third))
    phone.client.cookies.delete(cookie)
    phone.client.cookies.set(cookie, "not base64 {{")
    assert asks_profile(await phone.client.get(f"/j/{third}"))
    assert await answers_in(olga, third) == []


async def test_a_room_of_another_event_asks_again(olga: Any, phones: Any) -> None:
    one = await olga.event(profile=[WORKPLACE])
    two = await olga.event(profile=[WORKPLACE])
    first = await olga.room(one["code"], "Zaal 1")
    elsewhere = await olga.room(two["code"], "Zaal 1")
    phone = phones()
    await phone.enter(first)
    await phone.post(f"/j/{first}/profile", {"p1": "school"})
    assert asks_profile(await phone.enter(elsewhere))


async def test_breakdowns_still_hide_groups_under_five(olga: Any, phones: Any) -> None:
    event = await olga.event(profile=[WORKPLACE])
    first = await olga.room(event["code"], "Zaal 1")
    second = await olga.room(event["code"], "Zaal 2")
    service = olga.running.service
    await service.control.apply(
        second, await service.store.user_by_name("olga"), "goto", "stelling"
    )
    url = f"/api/v1/sessions/{second}/results?by=p1"

    async def arrive() -> None:
        """A phone answers "school" in the first room, then votes in the second."""
        phone = phones()
        await phone.enter(first)
        await phone.post(f"/j/{first}/profile", {"p1": "school"})
        assert not asks_profile(await phone.enter(second))
        token = phone.client.cookies[f"dd_p_{second}"]
        voted = await phone.client.put(
            f"/api/v1/sessions/{second}/slides/stelling/response",
            json={"value": "agree"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert voted.status_code == 200, voted.text

    async def shown() -> tuple[dict[str, int], list[str]]:
        breakdown = (await olga.call("GET", url)).json()["breakdown"]
        csv = await olga.call("GET", f"/r/{second}.csv")
        assert csv.status_code == 200, csv.text
        labels = [row["profile_p1"] for row in DictReader(io.StringIO(csv.text))]
        return {g["id"]: g["count"] for g in breakdown["groups"]}, labels

    for _ in range(4):
        await arrive()
    # Four carried answers: too few to be shown on their own, in results and export.
    groups, labels = await shown()
    assert groups == {} and labels == ["hidden"] * 4
    await arrive()
    groups, labels = await shown()
    assert groups == {"school": 5} and labels == ["school"] * 5


# the home page's one code field -------------------------------------------------------------


async def test_the_home_page_takes_a_session_or_an_event_code(olga: Any) -> None:
    client = olga.client
    event = await olga.event()
    room = await olga.room(event["code"], "Zaal 1")
    code = event["code"]
    typed = f"{code[:3].lower()}-{code[3:].lower()}"
    found = await client.get("/", params={"code": typed})
    assert found.status_code == 303 and found.headers["location"] == f"/ev/{code}"
    session = await client.get("/", params={"code": f"{room[:4]} {room[4:]}"})
    assert session.status_code == 303 and session.headers["location"] == f"/j/{room}"
    for wrong in ("ZZZZZZ", "1111 1111", "k7q!"):
        page = await client.get("/", params={"code": wrong, "lang": "en"})
        assert page.status_code == 404
        assert f"No session or event has the code {wrong}" in page.text.replace("&#39;", "'")
        assert 'aria-invalid="true"' in page.text
    dutch = await client.get("/", params={"code": "ZZZZZZ", "lang": "nl"})
    assert "ZZZZZZ" in dutch.text and "No session or event" not in dutch.text
    empty = await client.get("/", params={"code": "  ", "lang": "en"})
    assert empty.status_code == 422 and "eight digits" in empty.text


async def test_guessing_codes_on_the_home_page_or_event_pages_is_limited(olga: Any) -> None:
    event = await olga.event()
    limits = olga.running.app.state.limits
    limits.lookups = Limiter(Rate(3, 0.0))
    assert (await olga.client.get("/", params={"code": "ZZZZZZ"})).status_code == 404
    assert (await olga.client.get("/ev/ZZZZZZ")).status_code == 404
    assert (await olga.client.get("/api/v1/events/ZZZZZZ")).status_code == 404
    # The bucket is empty: the right code is refused too, so a hit looks like a miss.
    right = await olga.client.get("/", params={"code": event["code"]})
    assert right.status_code == 429
    assert (await olga.client.get(f"/ev/{event['code']}")).status_code == 429
    # The home page without a code is no lookup.
    assert (await olga.client.get("/")).status_code == 200


async def test_event_codes_and_join_codes_never_collide(olga: Any) -> None:
    # Join codes are digits only; event codes always hold a letter.
    codes = {new_event_code() for _ in range(3000)}
    assert all(looks_like_event_code(c) and len(c) == 6 for c in codes)
    assert all(set(c) <= set(EVENT_CODE_ALPHABET) for c in codes)
    assert not looks_like_event_code("1234 5678") and normalise_code("1234-5678") == "12345678"
    # An event code made before that rule may still be all digits: it is found after the
    # sessions (a session's code has eight digits, an event's six).
    user = await olga.running.service.store.user_by_name("olga")
    await EventStore(olga.running.service.store).create(
        NewEvent("234567", "Oud", None, "", user.id, "#e4003a", "#14213d")
    )
    old = await olga.client.get("/", params={"code": "234 567"})
    assert old.status_code == 303 and old.headers["location"] == "/ev/234567"
