"""Slide files as a facilitator brings them, built in the test suite: a PowerPoint made
with python-pptx to the structure of the demo deck (title slides, the choice question
with its three described options, information slides with nested bullets, the four
agree / disagree slides), with speaker notes and a picture, and its PDF (LibreOffice)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from denkdag.domain.model import Deck, Slide
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from harness.images import png

NOTES = {4: "Vraag eerst wie al samenwerkt.\nDaarna stemmen.", 7: "Laat twee mensen reageren."}
"""Speaker notes by slide number (1-based)."""
NESTED = "nieuwe regelgeving vanaf 2019"
"""A nested bullet added under the first bullet of each information slide with bullets."""
PICTURE_SLIDE = 5


def seed_deck() -> Deck:
    return parse_deck(seed_deck_text())


def _runs(paragraph: object, text: str) -> None:
    """`text` with `**bold**` parts as runs of the paragraph."""
    from pptx.util import Pt

    for index, part in enumerate(re.split(r"\*\*", text)):
        if part:
            run = paragraph.add_run()  # type: ignore[attr-defined]
            run.text = part
            run.font.bold = bool(index % 2) or None
            run.font.size = Pt(20)


def _no_bullet(paragraph: object) -> None:
    from pptx.oxml.ns import qn
    from pptx.oxml.xmlchemy import OxmlElement

    props = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    props.insert(0, OxmlElement("a:buNone"))
    props.set("indent", "0")
    props.set("marL", "0")
    assert props.find(qn("a:buNone")) is not None


def _fill(frame: object, slide: Slide) -> None:
    """The slide's text as the body placeholder's paragraphs."""
    frame.clear()  # type: ignore[attr-defined]
    first = True
    nested_done = False

    def paragraph() -> object:
        nonlocal first
        made = frame.paragraphs[0] if first else frame.add_paragraph()  # type: ignore[attr-defined]
        first = False
        return made

    if slide.kind in {"choice", "ranking"}:
        for option in slide.options:
            p = paragraph()
            _runs(p, f"**{option.label}**")
            if option.description:
                p.add_line_break()  # type: ignore[attr-defined]
                _runs(p, option.description)
        return
    if slide.kind == "statement":
        p = paragraph()
        _runs(p, slide.statement)
        _no_bullet(p)
        return
    for line in slide.body.split("\n"):
        if not line.strip():
            continue
        p = paragraph()
        if line.startswith("- "):
            _runs(p, line[2:])
            if not nested_done:
                nested = paragraph()
                _runs(nested, NESTED)
                nested.level = 1  # type: ignore[attr-defined]
                nested_done = True
        else:
            _runs(p, line)
            _no_bullet(p)


def seed_pptx() -> bytes:
    """The demo deck as a PowerPoint file."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = seed_deck()
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(13.333), Inches(7.5)
    presentation.core_properties.title = deck.info.title
    title_layout, content_layout = presentation.slide_layouts[0], presentation.slide_layouts[1]
    for number, slide in enumerate(deck.slides, start=1):
        titled = slide.extra.get("layout") == "title"
        made = presentation.slides.add_slide(title_layout if titled else content_layout)
        made.shapes.title.text = slide.title
        body = made.placeholders[1]
        body.width = Inches(12)
        _fill(body.text_frame, slide)
        if number in NOTES:
            made.notes_slide.notes_text_frame.text = NOTES[number]
        if number == PICTURE_SLIDE:
            picture = made.shapes.add_picture(
                io.BytesIO(png((320, 180))), Inches(10), Inches(5.5), Inches(2.4)
            )
            picture._element._nvXxPr.cNvPr.set("descr", "Kaart van de regio")
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pptx_to_pdf(data: bytes) -> bytes:
    """The PowerPoint as LibreOffice prints it to PDF (real text, real fonts)."""
    program = soffice()
    assert program is not None
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        (where / "deck.pptx").write_bytes(data)
        subprocess.run(
            [
                program,
                f"-env:UserInstallation=file://{where}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(where),
                str(where / "deck.pptx"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (where / "deck.pdf").read_bytes()
