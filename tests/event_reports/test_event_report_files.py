"""The event report's downloads, read back: JSON, CSV and the spreadsheet give
every room's participation and results, the rooms side by side, and every answer once
with a session column and participants numbered across the event (never a token)."""

from __future__ import annotations

import csv
import io
import json
from contextlib import AsyncExitStack
from typing import Any

import pytest
from openpyxl import load_workbook

from harness.event_reports import (
    ANSWER_ROWS,
    ANSWERED,
    CANARY,
    EVENT_TITLE,
    JOINED,
    OWN,
    ROOMS,
    SHARED,
    STATEMENT,
    TITLES,
    Made,
    signed_in,
)

pytestmark = pytest.mark.anyio
KEYS = ("plenary", "one", "two")


async def _download(running: Any, made: Made, extension: str, query: str = "") -> bytes:
    async with AsyncExitStack() as stack:
        olga = await signed_in(running.app, running.service, "olga", stack)
        response = await olga.get(f"/events/{made.event}/report.{extension}{query}")
        assert response.status_code == 200, response.text
        assert "attachment" in response.headers["content-disposition"]
        assert f"denkdag-event-{made.event}.{extension}" in response.headers["content-disposition"]
        assert response.headers["cache-control"] == "no-store"
        return response.content


async def test_json_has_participation_results_and_the_rooms_side_by_side(
    running: Any, made: Made
) -> None:
    document = json.loads(await _download(running, made, "json"))
    assert document["event"]["code"] == made.event
    assert document["event"]["title"] == EVENT_TITLE
    assert document["event"]["date"] == "2026-03-12"
    assert document["event"]["venue"] == "Muntpunt"
    assert document["event"]["primary_colour"] == "#0055aa"
    assert document["participation"] == {
        "joined": sum(JOINED.values()),
        "answered": sum(ANSWERED.values()),
    }
    rooms = document["rooms"]
    assert [room["code"] for room in rooms] == [made.codes[key] for key in KEYS]
    assert [room["role"] for room in rooms] == ["plenary", "working", "working"]
    for key, room in zip(KEYS, rooms, strict=True):
        assert room["room"] == ROOMS[key]
        assert room["title"] == TITLES[key]
        assert room["participation"]["joined"] == JOINED[key]
        assert room["participation"]["answered"] == ANSWERED[key]
        assert room["results"]["joined"] == JOINED[key]
    plenary, one, two = rooms
    assert plenary["participation"]["slides"] == {"s2": 5, "s3": 5}
    assert one["participation"]["slides"] == {"s1": 3, "s2": 3, "s3": 2}
    assert two["participation"]["slides"] == {"s1": 3, "s2": 3, "s3": 2}
    for key, room in (("plenary", plenary), ("two", two)):
        slide_id, respondents, figures = OWN[key]
        slide = next(s for s in room["results"]["slides"] if s["id"] == slide_id)
        assert slide["respondents"] == respondents
        assert slide["counts"] == {k: count for k, (count, _) in figures.items()}
    assert one["results"]["slides"][1]["kind"] == "scale"
    assert one["results"]["slides"][1]["respondents"] == 3
    # The profile breakdown follows the privacy rule: `school` (one person) is not a group.
    profile = plenary["results"]["profile"]
    assert profile["questions"][0]["participants"] == 6
    assert all(group["id"] != "school" for group in profile["questions"][0]["groups"])
    for breakdowns in profile["slides"].values():
        for breakdown in breakdowns:
            assert all(group["id"] != "school" for group in breakdown["groups"])
            assert all(group["respondents"] >= 5 for group in breakdown["groups"])
    assert one["results"].get("profile") is None

    [shared] = document["shared"]
    assert shared["kind"] == "statement"
    assert shared["text"] == STATEMENT
    for key, column in zip(KEYS, shared["rooms"], strict=True):
        respondents, figures = SHARED[key]
        assert column["code"] == made.codes[key]
        assert column["respondents"] == respondents
        assert column["counts"] == {k: count for k, (count, _) in figures.items()}
        assert column["percentages"] == {k: pct for k, (_, pct) in figures.items()}
    respondents, figures = SHARED["overall"]
    assert shared["overall"]["respondents"] == respondents
    assert shared["overall"]["counts"] == {k: count for k, (count, _) in figures.items()}
    assert shared["overall"]["percentages"] == {k: pct for k, (_, pct) in figures.items()}
    text = json.dumps(document)
    assert "token" not in text.lower()


async def test_csv_has_every_answer_once_with_event_wide_pseudonyms(
    running: Any, made: Made
) -> None:
    text = (await _download(running, made, "csv")).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "session",
        "room",
        "slide",
        "kind",
        "title",
        "participant",
        "answer",
        "answered_at",
        "hidden",
        "highlighted",
        "profile_p1",
    ]
    assert len(rows) == ANSWER_ROWS
    by_room: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_room.setdefault(row["session"], []).append(row)
    assert list(dict.fromkeys(row["session"] for row in rows)) == [made.codes[k] for k in KEYS]
    # Participants who answered: 5 + 3 + 3, each with their own pseudonym across the event.
    people = {key: {r["participant"] for r in by_room[made.codes[key]]} for key in KEYS}
    assert [len(people[key]) for key in KEYS] == [5, 3, 3]
    assert not people["plenary"] & people["one"]
    assert not people["one"] & people["two"]
    assert not people["plenary"] & people["two"]
    assert set().union(*people.values()) == {f"p{n}" for n in range(1, 12)}
    statement = [r for r in by_room[made.codes["two"]] if r["slide"] == "s1"]
    assert sorted(r["answer"] for r in statement) == ["agree", "pass", "pass"]
    assert {r["room"] for r in statement} == {"Zaal 2"}
    assert {r["kind"] for r in statement} == {"statement"}
    themes = [r for r in by_room[made.codes["two"]] if r["slide"] == "s2"]
    assert sorted(r["answer"] for r in themes) == ["a;b", "b", "b;c"]
    # A formula typed by a participant is inert.
    assert '\'=HYPERLINK("http://x")' in {r["answer"] for r in by_room[made.codes["one"]]}
    # The profile column: the plenary's groups are all too small or merged, so `hidden`;
    # the working sessions ask no profile question.
    assert {r["profile_p1"] for r in by_room[made.codes["plenary"]]} == {"hidden"}
    assert {r["profile_p1"] for r in by_room[made.codes["one"]]} == {""}
    assert "school" not in text


async def test_spreadsheet_has_summary_side_by_side_and_a_sheet_per_slide(
    running: Any, made: Made
) -> None:
    workbook = load_workbook(io.BytesIO(await _download(running, made, "xlsx", "?lang=en")))
    names = workbook.sheetnames
    assert names[:2] == ["Summary", "Side by side"]
    assert names[-1] == "Answers"
    assert "R1 Aula" in names
    assert "R2 Zaal 1" in names
    assert "R3 Zaal 2" in names
    assert "R1.3 Akkoord of niet akkoord" in names
    assert "R3.2 Welke thema's" not in names  # an apostrophe is not allowed in a name
    assert any(name.startswith("R3.2 Welke thema") for name in names)
    assert "R1 Breakdown" in names

    summary = workbook["Summary"]
    cells = [[cell.value for cell in row] for row in summary.iter_rows()]
    assert cells[0][:2] == ["Event", EVENT_TITLE]
    rooms = {*ROOMS.values(), "All rooms"}
    table = {
        row[0]: row
        for row in cells
        if row[0] in rooms and row[1] in {"Plenary", "Working session", "", None}
    }
    for key in KEYS:
        row = table[ROOMS[key]]
        assert row[2] == TITLES[key]
        assert row[3] == made.codes[key]
        assert row[4:6] == [JOINED[key], ANSWERED[key]]
    assert table["All rooms"][4:6] == [13, 11]
    per_question = [row for row in cells if row[0] == "Zaal 2" and isinstance(row[1], int)]
    assert [(row[1], row[3], row[4]) for row in per_question] == [
        (1, 3, 100),
        (2, 3, 100),
        (3, 2, 67),
    ]

    side = [[cell.value for cell in row] for row in workbook["Side by side"].iter_rows()]
    assert side[0][:2] == ["statement", STATEMENT]
    assert side[1] == [
        "Answer",
        "Aula (n)",
        "Aula (%)",
        "Zaal 1 (n)",
        "Zaal 1 (%)",
        "Zaal 2 (n)",
        "Zaal 2 (%)",
        "All rooms (n)",
        "All rooms (%)",
    ]
    for index, stance in enumerate(("agree", "disagree", "pass"), 2):
        expected: list[Any] = [stance]
        for key in (*KEYS, "overall"):
            expected += list(SHARED[key][1][stance])
        assert side[index] == expected
    assert side[5][0] == "Respondents"
    assert side[5][1::2] == [5, 3, 3, 11]

    themes = next(workbook[name] for name in names if name.startswith("R3.2"))
    rows = {row[0]: row for row in themes.iter_rows(values_only=True) if row[0]}
    assert rows["Respondents"][1] == 3
    assert rows["Lezen"][1:3] == (1, 0.33)  # label, count, share (shown as 33 %)
    assert rows["Digitaal"][1:3] == (3, 1)
    assert rows["'=Cultuur"][1:3] == (1, 0.33)  # inert, as in the session export

    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert answers[0][:6] == ("session", "room", "slide", "kind", "title", "participant")
    assert len(answers) - 1 == ANSWER_ROWS
    assert {row[5] for row in answers[1:]} == {f"p{n}" for n in range(1, 12)}
    breakdown = [row for row in workbook["R1 Breakdown"].iter_rows(values_only=True)]
    pseudonyms = [row[0] for row in breakdown if row[0] and str(row[0]).startswith("p")]
    assert set(pseudonyms) >= {"p1", "p5"}  # the event's names, not the session's own
    assert all(row[0] != "school" for row in breakdown)
    choice = [row for row in workbook["R1.2 Waar kom je vandaan"].iter_rows(values_only=True)]
    assert (f"Brussel {CANARY}", 1, 0.2) in [row[:3] for row in choice]
