"""The spreadsheet of a deck with every kind, read back with openpyxl in nl, fr and en:
its words in the report's language, and every figure as the report model has it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from denkdag.app.denkdag import Denkdag
from denkdag.app.exports import export_session
from denkdag.config import Settings
from denkdag.domain.model import Session
from denkdag.formats.deck import parse_deck
from denkdag.formats.report import Report
from denkdag.web.app import create_app
from harness.exports import answer_all

pytestmark = pytest.mark.anyio
EVERY_KIND = Path(__file__).parent.parent / "kinds" / "every_kind.md"

ANSWERS: dict[str, list[Any]] = {
    # the answer of p1 … p4 per slide (None: no answer); p5 … p7 join only
    "choice": ["a", "b", "b", "b"],
    "statement": ["agree", "disagree", "agree", "pass"],
    "scale": [{"a": 4, "b": 2}, {"a": 5}, {"a": 4, "b": 3}, None],
    "scale10": [{"a": 7}, {"a": 10}, None, {"a": 0}],
    "cloud": [["Vertrouwen", "tijd"], ["vertrouwen"], ["Ruimte", "VERTROUWEN!"], None],
    "open": ["Meer samen doen", "Iets ongepasts", '=HYPERLINK("x")', None],
    "ranking": [["c", "a", "b"], ["a", "c", "b"], ["a", "b", "c"], None],
}

WORDS = {
    # language: (summary, answers, agree, mean, hidden, highlighted, yes)
    "nl": ("Overzicht", "Antwoorden", "Akkoord", "Gemiddelde", "verborgen", "uitgelicht", "ja"),
    "fr": ("Résumé", "Réponses", "D’accord", "Moyenne", "masquée", "mise en avant", "oui"),
    "en": ("Summary", "Answers", "Agree", "Mean", "hidden", "highlighted", "yes"),
}


@dataclass
class Room:
    service: Denkdag
    session: Session


@pytest.fixture
async def room(settings: Settings) -> AsyncIterator[Room]:
    """The every-kind session with `ANSWERS`; one open answer hidden, one highlighted."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        service: Denkdag = app.state.service
        owner = await service.store.ensure_user("facilitator")
        deck = parse_deck(EVERY_KIND.read_text(encoding="utf-8"))
        session = await service.sessions.create(deck, owner.id)
        await answer_all(service, session, owner, ANSWERS)
        records = await service.store.slide_answer_records(session.id, "open")
        ids = {record.value: record.id for record in records}
        results = service.results
        await results.moderate(session.code, owner, "open", ids["Iets ongepasts"], hidden=True)
        await results.moderate(
            session.code, owner, "open", ids["Meer samen doen"], highlighted=True
        )
        yield Room(service, await service.sessions.get(session.code))


async def _workbook(room: Room, language: str) -> tuple[Workbook, Report]:
    exported = await export_session(room.service, room.session, "xlsx", language)
    report = await room.service.reports.report(room.session)
    return load_workbook(io.BytesIO(exported.data)), report


def _sheet(book: Workbook, position: int) -> Worksheet:
    return book[next(name for name in book.sheetnames if name.startswith(f"{position} "))]


def _table(sheet: Worksheet) -> list[tuple[Any, ...]]:
    """The rows of the sheet's table: from its filtered header row down."""
    assert sheet.auto_filter.ref, sheet.title
    first = int(sheet.auto_filter.ref.split(":")[0][1:])
    assert sheet.freeze_panes == f"A{first + 1}", sheet.title
    return list(sheet.iter_rows(min_row=first, values_only=True))


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
async def test_every_kind_in_the_reports_language_with_the_reports_figures(
    room: Room, language: str
) -> None:
    book, report = await _workbook(room, language)
    summary, answers, agree, mean, hidden, highlighted, yes = WORDS[language]
    assert book.sheetnames[0] == summary and book.sheetnames[-1] == answers
    results = {result.slide.id: result for result in report.slides}

    choice = _table(_sheet(book, 2))
    assert choice[1][:2] == ("Informeel", 1) and choice[2][:2] == ("Permanent", 3)
    assert [round(100 * row[2]) for row in choice[1:3]] == [
        results["choice"].percentage("a"),
        results["choice"].percentage("b"),
    ]
    assert _sheet(book, 2).cell(row=4, column=1).value is not None
    statement = {row[0]: row[1:] for row in _table(_sheet(book, 3))}
    assert statement[agree][0] == 2 and round(100 * statement[agree][1]) == 50

    scale_table = _table(_sheet(book, 4))
    assert scale_table[0][1] == mean and scale_table[0][3:] == ("1", "2", "3", "4", "5")
    scale = {row[0]: row[1:] for row in scale_table}
    items = {item["label"]: item for item in results["scale"].tally.extra["items"]}
    partners = scale["Ik ken de partners in mijn regio"]
    assert partners[0] == items["Ik ken de partners in mijn regio"]["mean"] == 4.33
    assert partners[1] == 3 and list(partners[2:]) == [0, 0, 0, 2, 1]
    assert scale["We delen genoeg kennis"][0] == 2.5
    ten = _table(_sheet(book, 5))
    assert ten[0][3:] == tuple(str(point) for point in range(11))
    assert ten[1][1] == results["scale10"].tally.extra["items"][0]["mean"] == 5.67

    cloud = _table(_sheet(book, 6))
    assert cloud[1][0].casefold() == "vertrouwen" and cloud[1][1] == 3  # most given first
    assert {row[0]: row[1] for row in cloud[1:]} == {
        entry["text"]: entry["count"] for entry in results["cloud"].tally.extra["cloud"]
    }

    wall = {row[0]: row[1] for row in _table(_sheet(book, 7))[1:]}
    assert wall == {
        "Meer samen doen": highlighted,
        "Iets ongepasts": hidden,
        '\'=HYPERLINK("x")': None,
    }

    ranking = _table(_sheet(book, 8))
    average = results["ranking"].tally.extra["average_rank"]
    assert [row[1] for row in ranking[1:4]] == [
        "Kennis delen",
        "Gezamenlijke programmatie",
        "Samen aankopen",
    ]
    assert [row[2] for row in ranking[1:4]] == [average["a"], average["c"], average["b"]]
    assert ranking[1][2] == 1.33 and ranking[1][3] == 2  # first twice

    rows = list(book[answers].iter_rows(values_only=True))
    header = list(rows[0])
    by = {(row[1], row[4]): row for row in rows[1:]}
    label = header.index("label" if language == "en" else header[6])
    assert by[("choice", "p2")][5:7] == ("b", "Permanent")
    assert by[("statement", "p1")][5:7] == ("agree", agree)
    assert by[("ranking", "p1")][5:7] == (
        "c;a;b",
        "1. Gezamenlijke programmatie; 2. Kennis delen; 3. Samen aankopen",
    )
    partners_column = header.index("4 · Ik ken de partners in mijn regio")
    knowledge_column = header.index("4 · We delen genoeg kennis")
    assert by[("scale", "p1")][partners_column] == 4 and by[("scale", "p1")][knowledge_column] == 2
    assert by[("scale", "p2")][knowledge_column] is None
    assert by[("scale10", "p2")][header.index("5 · Hoe tevreden ben je?")] == 10
    assert by[("open", "p2")][-2] == yes and label == 6
    assert not any(isinstance(cell, str) and cell.startswith("{") for row in rows for cell in row)


async def test_shares_are_numbers_and_tables_carry_charts(room: Room) -> None:
    exported = await export_session(room.service, room.session, "xlsx", "nl")
    book = load_workbook(io.BytesIO(exported.data))
    choice = _sheet(book, 2)
    header = next(row for row in choice.iter_rows() if row[0].value == "Antwoord")
    share = choice.cell(row=header[0].row + 2, column=3)
    assert share.value == 0.75 and share.number_format == "0%"
    summary = book["Overzicht"]
    shares = [c for row in summary.iter_rows() for c in row if c.number_format == "0%"]
    assert shares and all(isinstance(c.value, float) for c in shares)
    assert shares[0].value == round(4 / 7, 2)  # 4 of 7 joined answered the choice
    for position in (2, 3, 4, 5):
        assert len(_sheet(book, position)._charts) == 1, position
    assert book["Antwoorden"].freeze_panes == "A2" and book["Antwoorden"].auto_filter.ref
    assert all(book[name].column_dimensions["A"].width >= 8 for name in book.sheetnames)
