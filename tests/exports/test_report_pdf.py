"""The PDF report and the spreadsheet from the CLI: rendered to PNG, read back as text."""

from __future__ import annotations

import asyncio
import gc
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from denkdag.cli import app
from denkdag.formats.export_pdf import (
    YOUNG_OBJECTS,
    RefusedResource,
    StaticOnlyFetcher,
    report_pdf,
)
from harness.exports import ANSWERS, CANARY, build_session

runner = CliRunner()
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")


def export(*args: str) -> None:
    result = runner.invoke(app, ["export", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@needs_poppler
def test_pdf_has_titles_and_figures_and_renders_to_pages(database_url: str, tmp_path: Path) -> None:
    code = asyncio.run(build_session(database_url))
    pdf = tmp_path / "report.pdf"
    export(code, "--format", "pdf", "--output", str(pdf), "--database", database_url)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert f"=Verslagtest {CANARY}" in flat
    for title in (
        "Welkom",
        "Welke dag past?",
        "Welke thema's?",
        "Akkoord of niet akkoord?",
        "Hoe ervaar je de samenwerking?",
        "Eén woord?",
        "Wat neem je mee?",
        "Wat eerst?",
    ):
        assert title in flat, title
    assert "Bibliotheken zijn ontmoetingsplaatsen." in flat
    # s2: Maandag 50 % (3); s3 (several answers): Digitaal 80 % (4); s5: Niet akkoord 60 % (3)
    assert re.search(r"Maandag 50% \(3\)", flat)
    assert re.search(r"Digitaal 80% \(4\)", flat)
    assert re.search(r"Niet akkoord 60% \(3\)", flat)
    # joined 7, answered 6, 9 slides; per slide: answered and share of joined (nl labels)
    assert re.search(r"DEELNEMERS\s+MINSTENS ÉÉN KEER GEANTWOORD\s+SLIDES\s+7\s+6\s+9", text)
    assert re.search(r"Welke dag past\?\s+6\s+86%", text)
    assert re.search(r"\+Samenwerking kost geld KANARIE7Q\.\s+5\s+71%", text)
    assert "Veel ideeën KANARIE7Q" in flat  # an open answer, shown as typed
    pages = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    assert pages.returncode == 0
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) >= 2
    assert all(image.read_bytes().startswith(b"\x89PNG") for image in images)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(rf"^Pages:\s+{len(images)}$", info, re.MULTILINE)


def test_cli_spreadsheet_with_comparison(database_url: str, tmp_path: Path) -> None:
    earlier = asyncio.run(build_session(database_url, {"s4": ["agree"] * 6}))
    code = asyncio.run(build_session(database_url))
    out = tmp_path / "report.xlsx"
    export(
        code,
        "--format",
        "xlsx",
        "--compare",
        earlier,
        "--output",
        str(out),
        "--database",
        database_url,
    )
    book = load_workbook(io.BytesIO(out.read_bytes()))
    rows = list(book["Vergelijking"].iter_rows(values_only=True))  # the deck's language: nl
    changes = {(row[0], row[2]): row[5] for row in rows[3:]}
    assert changes[(4, "Akkoord")] == 67 - 100
    assert len(ANSWERS) == 8


def test_cli_refuses_comparison_across_facilitators_and_bad_formats(
    database_url: str, tmp_path: Path
) -> None:
    other = asyncio.run(build_session(database_url, {}, owner_name="someone-else"))
    code = asyncio.run(build_session(database_url, {}))
    result = runner.invoke(
        app,
        [
            "export",
            code,
            "--format",
            "pdf",
            "--compare",
            other,
            "--output",
            str(tmp_path / "x.pdf"),
            "--database",
            database_url,
        ],
    )
    assert result.exit_code == 1 and "same facilitator" in result.output
    result = runner.invoke(
        app, ["export", code, "--format", "csv", "--compare", other, "--database", database_url]
    )
    assert result.exit_code == 2


def test_pdf_fetcher_serves_static_files_only() -> None:
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch("https://report.denkdag.invalid/static/css/report.css")
    assert b"@page" in css.read()
    for url in (
        "http://127.0.0.1:9/secret",
        "https://example.org/static/css/report.css",
        "file:///etc/passwd",
        "data:text/plain,hello",
        "https://report.denkdag.invalid/static/../../__init__.py",
        "https://report.denkdag.invalid/r/12345678.json",
    ):
        with pytest.raises(RefusedResource):
            fetcher.fetch(url)


def test_pdf_renders_with_rare_collections_and_leaves_the_collector_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, ...]] = []
    fetch = StaticOnlyFetcher.fetch

    def noting(self: StaticOnlyFetcher, url: str, headers: object = None) -> object:
        seen.append(gc.get_threshold())  # WeasyPrint fetches the style sheets mid-render
        return fetch(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", noting)
    before = gc.get_threshold()
    html = '<link rel="stylesheet" href="/static/css/report.css"><p>Rapport</p>'
    assert report_pdf(html).startswith(b"%PDF-")
    assert seen and all(threshold[0] == YOUNG_OBJECTS for threshold in seen)
    assert gc.get_threshold() == before
