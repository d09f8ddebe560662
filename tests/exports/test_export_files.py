"""Every export of a session with known answers, read back and checked figure by figure."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from collections import Counter

import pytest
from openpyxl import load_workbook

from denkdag.formats.export_csv import answers_csv, safe_cell
from denkdag.formats.export_json import results_document
from denkdag.formats.export_xlsx import report_xlsx
from harness.exports import ANSWER_ROWS, ANSWERED, ANSWERS, EXPECTED, JOINED, Built

pytestmark = pytest.mark.anyio
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CHARTS = "xl/charts/"
CELL_RANGE = re.compile(r"'[^'=+@-][^']*'!\$?[A-Z]+\$?\d+(:\$?[A-Z]+\$?\d+)?")
STANCE_LABELS = {"agree": "Agree", "disagree": "Disagree", "pass": "Pass"}


async def test_spreadsheet_has_summary_slide_sheets_and_answers(built: Built) -> None:
    report = await built.service.reports.report(built.session)
    data = report_xlsx(report)
    book = load_workbook(io.BytesIO(data))
    summary = book["Summary"]
    facts = {row[0]: row[1] for row in summary.iter_rows(min_row=1, max_row=12, values_only=True)}
    assert facts["Session"] == "'=Verslagtest KANARIE7Q"
    assert facts["Event"] == "Denkdag 2026" and facts["Venue"] == "Muntpunt"
    assert facts["Presenter"] == "An Peeters, Coördinator"
    assert facts["Joined"] == JOINED and facts["Answered at least once"] == ANSWERED
    slide_sheets = [name for name in book.sheetnames if name[0].isdigit()]
    assert len(slide_sheets) == len(built.session.deck.slides) == 9
    for slide_id, (respondents, figures) in EXPECTED.items():
        position = int(slide_id[1:])
        sheet = book[next(name for name in slide_sheets if name.startswith(f"{position} "))]
        rows = list(sheet.iter_rows(values_only=True))
        facts = {row[0]: row[1] for row in rows if row[0]}
        assert facts["Respondents"] == respondents
        slide = next(s for s in built.session.deck.slides if s.id == slide_id)
        labels = {o.id: safe_cell(o.label) for o in slide.options} or STANCE_LABELS
        shown = {labels[key]: figure for key, figure in figures.items()}
        table = {
            row[0]: (row[1], round(100 * row[2]))
            for row in rows
            if row[0] in shown and isinstance(row[1], int)
        }
        assert table == shown, slide_id
    statement = book[next(name for name in slide_sheets if name.startswith("5 "))]
    texts = [row[1] for row in statement.iter_rows(values_only=True)]
    assert "'+Samenwerking kost geld KANARIE7Q." in texts
    answers = list(book["Answers"].iter_rows(values_only=True))
    assert answers[0][:6] == ("session", "slide", "kind", "title", "participant", "answer")
    assert len(answers) - 1 == ANSWER_ROWS
    assert {row[4] for row in answers[1:]} == {f"p{i}" for i in range(1, ANSWERED + 1)}
    typed = next(row[5] for row in answers[1:] if row[1] == "s8" and row[4] == "p1")
    assert typed == '\'=HYPERLINK("http://x")'


async def test_spreadsheet_text_cells_are_never_formulas(built: Built) -> None:
    data = report_xlsx(await built.service.reports.report(built.session))
    book = load_workbook(io.BytesIO(data))
    strings = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    strings += 1
                    assert cell.data_type == "s"
                    assert not cell.value.startswith(DANGEROUS), (sheet.title, cell.value)
    assert strings > 100
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        xml = b"".join(archive.read(name) for name in names if not name.startswith(CHARTS))
        charts = [archive.read(name).decode() for name in names if name.startswith(CHARTS)]
    assert b"<f>" not in xml and b"<f " not in xml
    # a chart names the cells it draws; that reference is all it may hold
    references = [ref for chart in charts for ref in re.findall(r"<f>(.*?)</f>", chart)]
    assert charts and references
    assert all(CELL_RANGE.fullmatch(html.unescape(ref)) for ref in references), references


async def test_csv_has_one_row_per_answer_with_pseudonyms(built: Built) -> None:
    answers = await built.service.store.session_answers(built.session.id)
    rows = list(csv.DictReader(io.StringIO(answers_csv(built.session, answers))))
    assert len(rows) == ANSWER_ROWS
    per_slide = Counter(row["slide"] for row in rows)
    for slide_id, values in ANSWERS.items():
        assert per_slide[slide_id] == sum(1 for value in values if value is not None)
    choices = Counter(row["answer"] for row in rows if row["slide"] == "s2")
    assert choices == {"a": 3, "b": 2, "c": 1}
    assert {row["participant"] for row in rows} == {f"p{i}" for i in range(1, ANSWERED + 1)}
    assert all(not row[key].startswith(DANGEROUS) for row in rows for key in row)


async def test_json_has_every_slide_with_its_counts(built: Built) -> None:
    svc = built.service
    document = results_document(
        built.session,
        await svc.results.of_session(built.session),
        await svc.results.joined(built.session),
    )
    document = json.loads(json.dumps(document))
    assert document["joined"] == JOINED
    slides = {slide["id"]: slide for slide in document["slides"]}
    assert len(slides) == 9
    for slide_id, (respondents, figures) in EXPECTED.items():
        assert slides[slide_id]["respondents"] == respondents
        assert slides[slide_id]["counts"] == {key: count for key, (count, _) in figures.items()}


async def test_exports_carry_no_token(built: Built) -> None:
    report = await built.service.reports.report(built.session)
    answers = await built.service.store.session_answers(built.session.id)
    with zipfile.ZipFile(io.BytesIO(report_xlsx(report))) as archive:
        xlsx = b"".join(archive.read(name) for name in archive.namelist()).decode()
    exported = xlsx + answers_csv(built.session, answers)
    for token in built.tokens:
        assert token not in exported
    from denkdag.security import token_hash

    assert not any(token_hash(token) in exported for token in built.tokens)
