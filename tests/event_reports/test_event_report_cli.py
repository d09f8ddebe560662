"""`denkdag event export CODE --format json|csv|xlsx|pdf`: the same files as
the web downloads; the PDF rendered to PNG pages and read back as text."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from denkdag.cli import app
from harness.event_reports import (
    ANSWER_ROWS,
    CANARY,
    EVENT_TITLE,
    STATEMENT,
    TITLES,
    build_event_database,
)

runner = CliRunner()
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")


def export(*args: str) -> bytes:
    result = runner.invoke(app, ["event", "export", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_json_csv_and_xlsx_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    made = asyncio.run(build_event_database(database_url))
    document = json.loads(export(made.event, "--database", database_url))
    assert document["event"]["title"] == EVENT_TITLE
    assert [room["title"] for room in document["rooms"]] == list(TITLES.values())
    assert document["shared"][0]["overall"]["counts"] == {"agree": 6, "disagree": 2, "pass": 3}
    text = export(made.event, "--format", "csv", "--database", database_url).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == ANSWER_ROWS
    assert {row["session"] for row in rows} == set(made.codes.values())
    out = tmp_path / "event.xlsx"
    export(made.event, "--format", "XLSX", "--output", str(out), "--database", database_url)
    workbook = load_workbook(out)  # in the plenary deck's language, as the PDF
    assert workbook.sheetnames[:2] == ["Overzicht", "Naast elkaar"]
    export(
        made.event,
        "--format",
        "xlsx",
        "--output",
        str(out),
        "--language",
        "fr",
        "--database",
        database_url,
    )
    summary = load_workbook(out)["Résumé"]
    assert [cell.value for cell in next(summary.iter_rows(max_row=1))][:1] == ["Événement"]


def test_unknown_format_and_unknown_event_are_refused(database_url: str) -> None:
    made = asyncio.run(build_event_database(database_url))
    result = runner.invoke(app, ["event", "export", made.event, "--format", "deck"])
    assert result.exit_code == 2
    assert "Unknown format 'deck'" in result.output
    result = runner.invoke(app, ["event", "export", "ZZZZZZ", "--database", database_url])
    assert result.exit_code == 2
    assert "No event has this code" in result.output


@needs_poppler
def test_pdf_has_every_session_and_the_figures(database_url: str, tmp_path: Path) -> None:
    made = asyncio.run(build_event_database(database_url))
    pdf = tmp_path / "event.pdf"
    export(made.event, "--format", "pdf", "--output", str(pdf), "--database", database_url)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert EVENT_TITLE in flat
    assert "12 maart 2026" in flat
    assert "Muntpunt" in flat
    assert made.event in flat
    # every session's title, in the event's order, each with its own report
    positions = [flat.index(title) for title in TITLES.values()]
    assert positions == sorted(positions)
    for title in (
        "Waar kom je vandaan?",
        "Hoe ervaar je de samenwerking?",
        "Wat neem je mee?",
        "Welke thema's?",
        "Eén woord?",
    ):
        assert title in flat, title
    assert f"Brussel {CANARY}" in flat
    # participation per room (Dutch: the plenary's language): joined, answered once or more
    assert re.search(r"DEELNEMERS\s+MINSTENS ÉÉN KEER GEANTWOORD\s+13\s+11", text)
    assert re.search(r"Aula Plenaire sessie\s+Plenaire opening\s+6\s+5", text)
    assert re.search(r"Zaal 1 Werksessie\s+Werksessie Samenwerking\s+4\s+3", text)
    assert re.search(r"Zaal 2 Werksessie\s+Werksessie Digitaal\s+3\s+3", text)
    assert re.search(r"Alle zalen\s+13\s+11", text)
    assert re.search(r"Zaal 1\s+3\s+Wat neem je mee\?\s+2\s+50%", text)
    # the rooms side by side and all rooms together
    assert "Dezelfde stelling, zaal per zaal" in flat
    assert STATEMENT in flat
    assert re.search(r"Aula\s+Zaal 1", text)
    assert re.search(r"Alle zalen\s+(3 antwoorden\s+)?11 antwoorden", text)
    assert re.search(r"Akkoord\s+55% \(6\)", text)
    assert re.search(r"Niet akkoord\s+18% \(2\)", text)
    assert re.search(r"Pas\s+27% \(3\)", text)
    # a room's own results, from the session report
    assert re.search(r"Digitaal\s+100% \(3\)", text)
    assert "Meer overleg" in flat
    pages = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    assert pages.returncode == 0
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) >= 4  # the event's pages, then each room from a new page
    assert all(image.read_bytes().startswith(b"\x89PNG") for image in images)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(rf"^Pages:\s+{len(images)}$", info, re.MULTILINE)
    # each room's report starts on a page of its own: its title is on a page's first lines
    for title in TITLES.values():
        assert any(title in page[:400] for page in text.split("\f")), title
