"""Profile breakdowns in the report page, the spreadsheet, CSV and JSON, the deck round
trip, and deletion: small groups stay hidden everywhere, names never appear."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from denkdag.formats.deck import DeckError, parse_deck, write_deck

pytestmark = pytest.mark.anyio
DECK_TEXT = (Path(__file__).parent / "profile_deck.md").read_text(encoding="utf-8")
ROOM: dict[str | None, list[str]] = {
    "bibliotheek": ["agree"] * 5 + ["disagree"] * 2,
    "school": ["agree"] * 2 + ["disagree"] * 3 + ["pass"],
    "ocmw": ["disagree", "disagree"],
    None: ["agree", "agree", "pass"],
}


async def vote_room(profiled: Any) -> None:
    await profiled.control("goto", "stelling")
    for option, votes in ROOM.items():
        for vote in votes:
            token = await profiled.join()
            body = {} if option is None else {"answers": {"p1": option}}
            response = await profiled.client.put(
                f"/api/v1/sessions/{profiled.code}/profile",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200
            assert (await profiled.answer(token, "stelling", vote)).status_code == 200


async def signed_in(profiled: Any) -> httpx.AsyncClient:
    owner = await profiled.service.store.ensure_user("facilitator")
    login = await profiled.service.access.create_login(owner)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=profiled.app),
        base_url="http://testserver",
        cookies={"dd_login": login},
    )


async def test_the_report_shows_groups_of_five_or_more_only(profiled: Any) -> None:
    await vote_room(profiled)
    async with await signed_in(profiled) as client:
        page = await client.get(f"/r/{profiled.code}?lang=en")
    assert page.status_code == 200
    html = page.text
    assert "Who took part" in html and "By profile: Ik werk in" in html
    assert "bibliotheek" in html and "school" in html
    assert "OCMW" not in html and "ocmw" not in html
    assert "Other groups and not said" in html


async def test_spreadsheet_csv_and_json_carry_disclosed_groups_only(profiled: Any) -> None:
    await vote_room(profiled)
    async with await signed_in(profiled) as client:
        xlsx = await client.get(f"/r/{profiled.code}.xlsx?lang=en")
        text = (await client.get(f"/r/{profiled.code}.csv")).text
        document = (await client.get(f"/r/{profiled.code}.json")).json()
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["Breakdown"]
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["bibliotheek", 7, 39] in cells and ["school", 6, 33] in cells
    assert ["bibliotheek", 7, 5, 71, 2, 29, 0, 0] in cells
    assert not any("OCMW" in str(c) for row in cells for c in row)
    rows = list(csv.DictReader(io.StringIO(text)))
    labels = {row["participant"]: row["profile_p1"] for row in rows}
    assert sorted(labels.values()).count("bibliotheek") == 7
    assert sorted(labels.values()).count("school") == 6
    assert sorted(labels.values()).count("hidden") == 5  # OCMW (2) and the skippers (3)
    profile = document["profile"]
    statement = profile["slides"]["stelling"][0]
    assert [g["id"] for g in statement["groups"]] == ["bibliotheek", "school"]
    assert statement["other"]["respondents"] == 5
    assert "ocmw" not in json.dumps([profile["slides"], profile["questions"][0]["groups"]])


async def test_deleting_the_session_deletes_the_profile_answers(profiled: Any) -> None:
    from sqlalchemy import select

    from denkdag.storage.tables import participant_profiles

    await vote_room(profiled)
    service = profiled.service
    session = await service.sessions.get(profiled.code)
    async with service.store.reader.connect() as conn:
        assert len((await conn.execute(select(participant_profiles))).all()) == 18
    await service.sessions.delete(session)
    async with service.store.reader.connect() as conn:
        assert (await conn.execute(select(participant_profiles))).all() == []


def test_the_profile_deck_round_trips() -> None:
    deck = parse_deck(DECK_TEXT)
    assert [q.text for q in deck.info.profile] == ["Ik werk in"]
    assert write_deck(deck) == DECK_TEXT
    two = DECK_TEXT.replace(
        "profile: Ik werk in:", "profile: Waar woon je? Stad / Platteland\nprofile: Ik werk in:"
    )
    again = parse_deck(two)
    assert [q.id for q in again.info.profile] == ["p1", "p2"]
    assert parse_deck(write_deck(again)) == again


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("profile: Ik werk in bibliotheek", "a profile question is 'question: option / option"),
        ("profile: Ik werk in: school / Liever niet zeggen", "adds 'prefer not to say'"),
        ("profile: Ik werk in: School / school", "too alike (both 'school')"),
    ],
)
def test_a_broken_profile_line_names_file_and_line(line: str, message: str) -> None:
    text = DECK_TEXT.replace(
        "profile: Ik werk in: bibliotheek / cultuurcentrum / school / OCMW / andere", line
    )
    with pytest.raises(DeckError) as caught:
        parse_deck(text, source="sessie.md")
    assert str(caught.value).startswith("sessie.md:4: ") and message in str(caught.value)


def test_at_most_two_profile_questions() -> None:
    extra = "profile: A: x / y\nprofile: B: x / y\nprofile: C: x / y\n"
    with pytest.raises(DeckError) as caught:
        parse_deck(DECK_TEXT.replace("event: Denkdag\n", "event: Denkdag\n" + extra), "d.md")
    assert str(caught.value).startswith("d.md:6: at most 2 profile questions")
