"""Every file of a session of every kind answered by forty (harness/full_report.py), read
back by independent readers in nl, fr and en: the PDF with pdftotext and as page images
(each chart's geometry against the report's figures, its colours against the brand),
the workbook with openpyxl, the CSV with csv, the JSON, and the pol.is files.

The session is built, and every file exported, once for the module: a room of an event
with its own colours and logo (the nl and fr PDFs) and the same deck as a standalone
session in the house colours (everything else).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from denkdag.app.denkdag import Denkdag
from denkdag.app.events import EventFields, Events
from denkdag.app.exports import export_session
from denkdag.domain.events import WORKING, Brand
from denkdag.formats.deck import parse_deck
from denkdag.formats.report import Report
from denkdag.formats.templating import translations
from denkdag.live import MemoryBroadcaster
from denkdag.storage import open_store
from denkdag.storage.accounts import AccountStore
from harness.event_reports import logo_png
from harness.full_report import PEOPLE, ROUND_STATEMENTS, build_full_session, full_deck_text

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdfimages")
pytestmark = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
LANGUAGES = ("nl", "fr", "en")
EVENT_COLOURS = ("#0055AA", "#E4003A")
DPI = 144
SCALE = DPI / 72  # page image pixels per PDF point
MM = 72 / 25.4  # PDF points per millimetre


@dataclass
class Exported:
    """The report model of the standalone session and every exported file."""

    report: Report
    files: dict[tuple[str, str], bytes]
    """(format, language) → bytes; the PDFs of nl and fr are the event room's."""


async def _export_all() -> Exported:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="denkdag-full-") as folder:
        store = await open_store(f"sqlite:///{folder}/full.sqlite3")
        service = Denkdag(store, MemoryBroadcaster(), tally_interval=0.01)
        await service.start()
        try:
            return await _files(service)
        finally:
            await service.stop()
            await store.close()


async def _files(service: Denkdag) -> Exported:
    olga = await service.store.ensure_user("olga")
    await AccountStore(service.store).set_role(olga.id, "organiser")
    organiser = await service.store.user_by_name("olga")
    assert organiser is not None
    events = Events(service)
    event = await events.create(
        organiser, EventFields("Denkdag 2026", "2026-03-12", "Muntpunt", *EVENT_COLOURS)
    )
    await events.set_logo(event.code, organiser, logo_png())
    room = await events.create_session(
        event.code, organiser, parse_deck(full_deck_text()), WORKING, "Zaal 1"
    )
    in_event = await build_full_session(service, organiser, room.session)
    standalone = await build_full_session(service, organiser)
    files: dict[tuple[str, str], bytes] = {}
    for language in LANGUAGES:
        source = standalone.session if language == "en" else in_event.session
        files["pdf", language] = (await export_session(service, source, "pdf", language)).data
        exported = await export_session(service, standalone.session, "xlsx", language)
        files["xlsx", language] = exported.data
    for fmt in ("csv", "json", "polis"):
        files[fmt, ""] = (await export_session(service, standalone.session, fmt, "nl")).data
    return Exported(await service.reports.report(standalone.session), files)


@pytest.fixture(scope="module")
def exported() -> Exported:
    return asyncio.run(_export_all())


@pytest.fixture(scope="module")
def pdf_folder(exported: Exported, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each language's PDF as a file, its text (`LANG.txt`), its words with their boxes
    (`LANG.html`) and its pages as PNG (`LANG-N.png`)."""
    folder = tmp_path_factory.mktemp("pdf")
    for language in LANGUAGES:
        pdf = folder / f"{language}.pdf"
        pdf.write_bytes(exported.files["pdf", language])
        subprocess.run(["pdftotext", str(pdf), str(folder / f"{language}.txt")], check=True)
        subprocess.run(
            ["pdftotext", "-bbox", str(pdf), str(folder / f"{language}.html")], check=True
        )
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(DPI), str(pdf), str(folder / language)], check=True
        )
    return folder


def _one_space(text: str) -> str:
    """`text` with every kind of space (no-break ones too) as one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _text(folder: Path, language: str) -> str:
    """The PDF's text with every kind of space as one space."""
    return _one_space((folder / f"{language}.txt").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def _words(folder: Path, language: str) -> tuple[list[Word], tuple[float, float]]:
    """Every word of the PDF with its box (points), and the page size."""
    markup = (folder / f"{language}.html").read_text(encoding="utf-8")
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', markup)
    assert size
    words = []
    for number, page in enumerate(markup.split("<page ")[1:], 1):
        for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        ):
            words.append(Word(number, text, float(x0), float(y0), float(x1), float(y1)))
    return words, (float(size[1]), float(size[2]))


def _page(folder: Path, language: str, number: int) -> Image.Image:
    pages = sorted(folder.glob(f"{language}-*.png"))
    return Image.open(pages[number - 1]).convert("RGB")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, colour, strict=True)) <= tolerance


def _bar_colour(language: str) -> tuple[int, int, int]:
    """The colour the report's bars must have: the event's for its room, else the house's."""
    brand = Brand() if language == "en" else Brand(*(c.lower() for c in EVENT_COLOURS))
    return _rgb(brand.variables()["--bar"])


def _scale_rows(words: list[Word]) -> list[list[Word]]:
    """The rows of scale points under the scale charts, in document order: words on one
    line reading low, low + 1 … high (at least five)."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word.page, round(word.y0)), []).append(word)
    rows = []
    for key in sorted(lines):
        line = sorted(lines[key], key=lambda w: w.x0)
        values = [w.text for w in line]
        if len(values) >= 5 and all(v.isdigit() for v in values):
            numbers = [int(v) for v in values]
            if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
                rows.append(line)
    return rows


def _column_height(image: Image.Image, word: Word, colour: tuple[int, int, int]) -> int:
    """Pixels of `colour` in the column above the scale point `word` (its bar)."""
    x = round((word.x0 + word.x1) / 2 * SCALE)
    bottom = round(word.y0 * SCALE)
    return sum(
        1
        for y in range(max(0, bottom - round(70 * SCALE)), bottom)
        if _near(image.getpixel((x, y)), colour)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_scale_bars_stand_over_their_points_in_the_brand_colour(
    exported: Exported, pdf_folder: Path, language: str
) -> None:
    words, _ = _words(pdf_folder, language)
    rows = _scale_rows(words)
    charts = [
        (item["counts"], row_range)
        for slide_id, row_range in (("scale", range(1, 6)), ("scale10", range(0, 11)))
        for item in exported.report.slide_result(slide_id).tally.extra["items"]  # type: ignore[union-attr]
    ]
    assert [[int(w.text) for w in row] for row in rows] == [list(r) for _, r in charts]
    colour = _bar_colour(language)
    for row, (counts, points) in zip(rows, charts, strict=True):
        image = _page(pdf_folder, language, row[0].page)
        heights = [_column_height(image, word, colour) for word in row]
        figures = [counts.get(str(point), 0) for point in points]
        assert heights.index(max(heights)) == figures.index(max(figures)), (heights, figures)
        for height, figure in zip(heights, figures, strict=True):
            # each column's height is its count's share of the most given point's
            assert abs(height / max(heights) - figure / max(figures)) < 0.08, (heights, figures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_choice_and_ranking_bars_are_as_long_as_their_figures(
    exported: Exported, pdf_folder: Path, language: str
) -> None:
    words, _ = _words(pdf_folder, language)
    colour = _bar_colour(language)

    def bar_length(label: str) -> int:
        word = next(w for w in words if w.text == label)
        image = _page(pdf_folder, language, word.page)
        y = round((word.y0 + word.y1) / 2 * SCALE)
        longest = run = 0  # the bar: the longest run of its colour on the label's line
        for x in range(image.width):
            run = run + 1 if _near(image.getpixel((x, y)), colour) else 0
            longest = max(longest, run)
        return longest

    choice = exported.report.slide_result("choice")
    assert choice is not None
    informal, permanent = bar_length("Informeel"), bar_length("Permanent")
    assert abs(informal / permanent - choice.tally.counts["a"] / choice.tally.counts["b"]) < 0.05
    average = exported.report.slide_result("ranking").tally.extra["average_rank"]  # type: ignore[union-attr]
    sharing, buying = bar_length("Kennis"), bar_length("aankopen")  # "Samen aankopen"
    assert abs(sharing / buying - (4 - average["a"]) / (4 - average["b"])) < 0.05


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_is_drawn_outside_the_page_box(pdf_folder: Path, language: str) -> None:
    words, (width, _height) = _words(pdf_folder, language)
    for word in words:  # the page's margins are 16 mm left and right
        assert 15 * MM <= word.x0 and word.x1 <= width - 15 * MM, word
    pages = sorted(pdf_folder.glob(f"{language}-*.png"))
    assert len(pages) >= 5
    for path in pages:
        image = Image.open(path).convert("L")
        band = round(12 * MM * SCALE)
        for box in ((0, 0, band, image.height), (image.width - band, 0, image.width, image.height)):
            assert image.crop(box).getextrema()[0] > 245, (path.name, box)


EXPECTED = {
    # language: words and figures as the reader of that language reads them
    "nl": [
        "Gemiddelde 3,7",
        "Gemiddelde 2,2",
        "Gemiddelde 7,3",
        "Permanent 70% (28)",
        "1,5",
        "2,8",
    ],
    "fr": ["Moyenne 3,7", "Moyenne 2,2", "Moyenne 7,3", "Permanent 70 % (28)", "1,5", "2,8"],
    "en": ["Mean 3.7", "Mean 2.2", "Mean 7.3", "Permanent 70% (28)", "1.5", "2.8"],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_text_in_the_reports_language_and_time_zone(
    exported: Exported, pdf_folder: Path, language: str
) -> None:
    text = _text(pdf_folder, language)
    for expected in EXPECTED[language]:
        assert expected in text, expected
    assert re.search(r"\b(CET|CEST)\b", text) and "UTC" not in text
    # one opinion map: on its slide, not once more at the end
    caption = _one_space(
        translations(language).gettext(
            "Each dot is a participant; people who voted alike stand close together."
        )
    )
    assert text.count(caption) == 1
    # table cells keep whole words (the profile tables' "cultuurcentrum")
    assert text.count("cultuurcentrum") >= 6 and not re.search(r"cultuurcentr?u? ", text)


def test_event_room_carries_the_event_logo(pdf_folder: Path) -> None:
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_folder / "nl.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert re.search(r"^\s*1\s+\d+\s+image\s+40\s+20\b", listing, re.MULTILINE), listing


ANSWERS_SHEET = {"nl": "Antwoorden", "fr": "Réponses", "en": "Answers"}
BREAKDOWN = {
    "nl": ("Opsplitsing volgens profielvraag", "Aandeel (%)"),
    "fr": ("Ventilation par question de profil", "Part (%)"),
    "en": ("Breakdown by profile question", "Share (%)"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_workbook_reads_back_in_the_reports_language(exported: Exported, language: str) -> None:
    book = load_workbook(io.BytesIO(exported.files["xlsx", language]))
    results = {r.slide.id: r for r in exported.report.slides}
    scale = next(book[n] for n in book.sheetnames if n.startswith("4 "))
    means = {row[0]: row[1] for row in scale.iter_rows(values_only=True) if row and row[0]}
    assert means["Ik ken de partners in mijn regio"] == 3.7
    ten = next(book[n] for n in book.sheetnames if n.startswith("5 "))
    mean = results["scale10"].tally.extra["items"][0]["mean"]
    assert round(mean, 1) == 7.3 and mean in {row[1] for row in ten.iter_rows(values_only=True)}
    ranking = next(book[n] for n in book.sheetnames if n.startswith("8 "))
    ranks = {row[1]: row[2] for row in ranking.iter_rows(values_only=True) if row and row[1]}
    average = results["ranking"].tally.extra["average_rank"]
    assert ranks["Kennis delen"] == average["a"] == 1.75
    answers = list(book[ANSWERS_SHEET[language]].iter_rows(values_only=True))
    assert len([row for row in answers[1:] if row[1] == "choice"]) == PEOPLE
    breakdown = [row for row in book.worksheets[-1].iter_rows(values_only=True) if row[0]]
    title, share = BREAKDOWN[language]
    assert breakdown[0][0] == title and any(row[2] == share for row in breakdown)
    kinds = {row[2] for row in answers[1:]}
    assert "choice" not in kinds and "scale" not in kinds  # human labels, not kind keys


def test_csv_json_and_polis_read_back(exported: Exported) -> None:
    rows = list(csv.DictReader(io.StringIO(exported.files["csv", ""].decode("utf-8"))))
    choices = Counter(row["answer"] for row in rows if row["slide"] == "choice")
    assert choices == {"a": 12, "b": 28}
    document = json.loads(exported.files["json", ""])
    slides = {slide["id"]: slide for slide in document["slides"]}
    assert slides["choice"]["counts"] == {"a": 12, "b": 28}
    assert slides["statement"]["counts"] == {"agree": 18, "disagree": 18, "pass": 4}
    with zipfile.ZipFile(io.BytesIO(exported.files["polis", ""])) as archive:
        comments = list(csv.DictReader(io.StringIO(archive.read("comments.csv").decode())))
        votes = list(csv.DictReader(io.StringIO(archive.read("votes.csv").decode())))
        people = list(csv.DictReader(io.StringIO(archive.read("participants-votes.csv").decode())))
    texts = {row["comment-body"] for row in comments}
    assert set(ROUND_STATEMENTS) <= texts and "Samen is beter." in texts
    assert len(votes) == 4 * PEOPLE and len(people) == PEOPLE
