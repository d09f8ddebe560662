"""The live opinion map through the API: a room of planted camps votes on a real server, the
facilitator's stream carries the `opinion` event with the camps as groups; privacy,
reveal and the phone's own dot; the `opinions` slide kind in decks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from denkdag.config import Settings
from denkdag.domain.kinds.opinions import shows_own
from denkdag.domain.tally import PRIVACY_FLOOR
from denkdag.formats.deck import parse_deck, write_deck
from harness.opinions import CONSENSUS, DECK, STATEMENTS, ballot, settled
from harness.servers import Live, live_session
from harness.sse import Event, events, next_event

pytestmark = pytest.mark.anyio

CAMPS = {"north": 14, "south": 12, "west": 10}


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Live]:
    async with live_session(settings, DECK.read_text("utf-8")) as served:
        served.service.opinions.recomputer.interval = 0.2  # a quick test; the default is 1 s
        yield served


async def next_opinion(stream: AsyncIterator[Event]) -> dict[str, Any]:
    data: dict[str, Any] = (await next_event(stream, "opinion")).data
    return data


async def settled_opinion(stream: AsyncIterator[Event], live: Live) -> dict[str, Any]:
    """The stream's map once it has every vote sent: a map computed while a latecomer was
    still voting shows all dots but not yet all their votes."""
    await settled([live.service], live.code)
    session = await live.service.sessions.get(live.code)
    last = await live.service.opinions.for_report(session)
    assert last is not None
    view = await next_opinion(stream)
    while view["number"] < last.number:
        view = await next_opinion(stream)
    return view


async def collect_opinions(
    client: httpx.AsyncClient, code: str, token: str, into: list[dict[str, Any]]
) -> None:
    """Every `opinion` event a participant's stream carries, until cancelled."""
    headers = {"Authorization": f"Bearer {token}"}
    async with client.stream("GET", f"/api/v1/sessions/{code}/events", headers=headers) as got:
        async for event in events(got):
            if event.name == "opinion":
                into.append(event.data)


async def join_camps(client: httpx.AsyncClient, code: str) -> list[tuple[str, int, str]]:
    """(camp, member, token) of every participant, the camps interleaved as a room joins."""
    members = [(camp, m) for camp, size in CAMPS.items() for m in range(size)]
    members.sort(key=lambda cm: (cm[1], cm[0]))
    room = []
    for camp, member in members:
        response = await client.post(f"/api/v1/sessions/{code}/participants")
        room.append((camp, member, response.json()["participant_token"]))
    return room


async def vote(client: httpx.AsyncClient, code: str, token: str, slide: str, value: str) -> None:
    response = await client.put(
        f"/api/v1/sessions/{code}/slides/{slide}/response",
        json={"value": value},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text


def shows_the_camps(view: dict[str, Any], room: list[tuple[str, int, str]]) -> bool:
    """Whether the map has every participant, in groups as large as the camps."""
    sizes = sorted(sum(1 for c, _, _ in room if c == camp) for camp in CAMPS)
    groups = sorted(group["size"] for group in view["groups"])
    return len(view["dots"]) == len(room) and groups == sizes


async def test_a_room_of_camps_votes_and_the_facilitator_stream_shows_the_camps(
    live: Live,
) -> None:
    async with httpx.AsyncClient(base_url=live.base, timeout=20) as client:
        room = await join_camps(client, live.code)
        async with client.stream(
            "GET", f"/api/v1/sessions/{live.code}/events", headers=live.facilitator()
        ) as facilitator:
            stream = events(facilitator)
            public_events: list[dict[str, Any]] = []
            collector = asyncio.create_task(
                collect_opinions(client, live.code, room[0][2], public_events)
            )
            # The round, statement by statement: the facilitator shows it, all vote.
            for statement in STATEMENTS:
                control = await client.post(
                    f"/api/v1/sessions/{live.code}/control",
                    json={"action": "goto", "slide": statement},
                    headers=live.facilitator(),
                )
                assert control.status_code == 200
                await asyncio.gather(
                    *(
                        vote(client, live.code, token, statement, ballot(camp, m)[statement])
                        for camp, m, token in room
                    )
                )
                view = await next_opinion(stream)
            view = await settled_opinion(stream, live)
            # Latecomers join each camp and vote: the map follows them and, some updates
            # after the camps became clear, its number of groups (k changes only once a new
            # best k has won several updates in a row, so it never flickers) and its groups
            # (a map computed while the first statements were voted groups by those only).
            latecomers = 0
            while not shows_the_camps(view, room):
                latecomers += 1
                assert latecomers <= 8, view["groups"]
                batch = []
                for camp in CAMPS:
                    joined = await client.post(f"/api/v1/sessions/{live.code}/participants")
                    batch.append((camp, 100 + latecomers, joined.json()["participant_token"]))
                for camp, member, token in batch:
                    for statement, stance in ballot(camp, member).items():
                        await vote(client, live.code, token, statement, stance)
                room.extend(batch)
                view = await settled_opinion(stream, live)

            # The facilitator's endpoint returns the map the stream carried last (on a busy
            # machine a late recompute can still follow: then compare with that one).
            url = f"/api/v1/sessions/{live.code}/opinions"
            while True:
                endpoint = (await client.get(url, headers=live.facilitator())).json()
                while view["number"] < endpoint["number"]:
                    view = await next_opinion(stream)
                if view["number"] == endpoint["number"]:
                    break
            assert endpoint["groups"] == view["groups"]
            collector.cancel()
    # Participants heard that there is a map, but not what it shows (hidden mode).
    assert public_events and all(event == {"shown": False} for event in public_events)
    assert view["shown"] is False
    assert len(view["dots"]) == view["voters"] == len(room)
    sizes = {camp: sum(1 for c, _, _ in room if c == camp) for camp in CAMPS}
    assert sorted(g["size"] for g in view["groups"]) == sorted(sizes.values())
    assert len(view["dots"]) == len(room) and view["other"] == 0
    assert view["consensus"][0]["slide"] == CONSENSUS
    assert view["consensus"][0]["statement"] == "We learn more when we work together."
    assert view["consensus"][0]["direction"] == "agree"
    divisive = {s["slide"] for s in view["divisive"]}
    assert divisive and CONSENSUS not in divisive
    for group in view["groups"]:
        assert group["representative"], group

    async with httpx.AsyncClient(base_url=live.base, timeout=20) as client:
        # Each camp is one group: reveal the map (show_own: yes) and ask each phone's dot.
        for action in ("goto", "reveal"):
            done = await client.post(
                f"/api/v1/sessions/{live.code}/control",
                json={"action": action, "slide": "map"},
                headers=live.facilitator(),
            )
            assert done.status_code == 200, done.text
        group_of_camp: dict[str, set[int]] = {camp: set() for camp in CAMPS}
        for camp, _, token in room:
            me = await client.get(
                f"/api/v1/sessions/{live.code}/opinions/me",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert me.status_code == 200
            position = me.json()
            assert position["shown"] and position["included"]
            assert 0 <= position["x"] <= 100 and 0 <= position["y"] <= 100
            group_of_camp[camp].add(position["group"])
    assert all(len(groups) == 1 for groups in group_of_camp.values()), group_of_camp
    assert len(set.union(*group_of_camp.values())) == len(CAMPS)


async def test_the_map_is_hidden_from_participants_until_revealed(round_: Any) -> None:
    running = round_
    tokens = [await running.join() for _ in range(12)]
    for statement in STATEMENTS[:3]:
        assert (await running.control("goto", statement)).status_code == 200
        for index, token in enumerate(tokens):
            camp = "north" if index % 2 else "south"
            await running.answer(token, statement, ballot(camp, index)[statement])
    # A map computed while the first statement's votes came in is drawn from too few
    # statements: wait for the one computed from every vote.
    await settled([running.service], running.code)

    url = f"/api/v1/sessions/{running.code}/opinions"
    me = {"Authorization": f"Bearer {tokens[0]}"}
    assert (await running.client.get(url, headers=me)).status_code == 403
    hidden = (await running.client.get(url + "/me", headers=me)).json()
    assert hidden["shown"] is False and hidden["x"] is None and hidden["group"] is None
    facilitator_view = (await running.client.get(url, headers=running.facilitator())).json()
    assert facilitator_view["drawn"] and facilitator_view["shown"] is False

    # The opinions slide asks nothing: no answer, no voting to open, but a reveal.
    assert (await running.control("goto", "map")).status_code == 200
    refused = await running.answer(tokens[0], "map", "agree")
    assert refused.status_code == 409
    assert (await running.control("open", "map")).status_code in {400, 409, 422}
    phone = await running.client.get(
        f"/j/{running.code}/slide", headers={"Cookie": f"dd_p_{running.code}={tokens[0]}"}
    )
    assert phone.status_code == 200 and 'class="opinion-board' in phone.text
    assert 'class="opinion-dot ' not in phone.text  # nothing of the map, not even hidden

    assert (await running.control("reveal", "map")).status_code == 200
    mine = (await running.client.get(url + "/me", headers=me)).json()
    assert mine["shown"] and mine["included"] and mine["x"] is not None
    assert (await running.client.get(url, headers=running.facilitator())).json()["shown"]
    projector = await running.client.get(f"/p/{running.code}/slide", headers=running.facilitator())
    assert projector.status_code == 200
    assert projector.text.count('class="opinion-dot ') == 12
    assert "What unites the room" in projector.text


async def test_a_camp_of_three_is_not_a_group_on_the_api(round_: Any) -> None:
    running = round_
    camps = {"north": 12, "south": 12, "west": 3}
    room = [(camp, m, await running.join()) for camp, size in camps.items() for m in range(size)]
    for statement in STATEMENTS:
        await running.control("goto", statement)
        for camp, member, token in room:
            await running.answer(token, statement, ballot(camp, member)[statement])
    await settled([running.service], running.code)
    response = await running.client.get(
        f"/api/v1/sessions/{running.code}/opinions", headers=running.facilitator()
    )
    view = response.json()
    assert view["drawn"] and view["groups"]
    assert all(group["size"] >= PRIVACY_FLOOR for group in view["groups"])
    assert view["other"] + sum(g["size"] for g in view["groups"]) == len(view["dots"])
    assert view["other"] == 0 or view["other"] > 3  # never the camp of three alone


def test_an_opinions_slide_survives_a_deck_round_trip() -> None:
    deck = parse_deck(DECK.read_text("utf-8"))
    slide = deck.slide("map")
    assert slide is not None and slide.kind == "opinions" and shows_own(slide)
    assert slide.body == "Each dot is a participant."
    again = parse_deck(write_deck(deck))
    assert again == deck
    plain = parse_deck("---\ntitle: T\n---\n\n# Map\nkind: opinions\n")
    assert plain.slides[0].kind == "opinions" and not shows_own(plain.slides[0])
    assert parse_deck(write_deck(plain)) == plain


def test_show_own_must_be_yes_or_no() -> None:
    from denkdag.formats.deck import DeckError

    with pytest.raises(DeckError) as error:
        parse_deck("---\ntitle: T\n---\n\n# Map\nkind: opinions\nshow_own: maybe\n")
    assert ":7:" in str(error.value) or "7" in str(error.value)


async def test_the_report_draws_the_map_on_the_opinions_slide(round_: Any) -> None:
    running = round_
    room = [(camp, m, await running.join()) for camp in ("north", "south") for m in range(6)]
    for statement in STATEMENTS:
        await running.control("goto", statement)
        for camp, member, token in room:
            await running.answer(token, statement, ballot(camp, member)[statement])
    page = await running.client.get(f"/r/{running.code}", headers=running.facilitator())
    assert page.status_code == 200
    section = page.text.split('id="slide-map"', 1)[1].split("</section>", 1)[0]
    assert section.count("<circle") >= len(room)
    assert "We learn more when we work together." in section
