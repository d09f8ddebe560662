"""A PDF of slides read into an `ImportedDeck`, one slide per page, from the text's
positions and fonts (pypdf): the largest text at the top is the title; a line starting
with a bullet glyph starts a bullet, its level from how far it is indented; a line under
a paragraph, at its indent and close below, continues it (a new line in it when the
weight changes, as under an option's bold title); bold fonts become `**bold**`.

A PDF has no speaker notes, and its pictures come with the page as drawn (rendering.py).
An encrypted PDF that opens without a password is read; one that needs a password is
refused with a sentence. pypdf is imported when a file is read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from denkdag.domain.errors import N_
from denkdag.formats.deck import MAX_SLIDES, DeckError
from denkdag.formats.imported import (
    ImportedDeck,
    ImportedSlide,
    Paragraph,
    clean_text,
    marked_line,
)

BULLETS = frozenset("•●▪■◦○–-·‣⁃∙")
"""Glyphs that start a bullet (decorative arrows such as ► are kept as text)."""
SAME_LINE = 0.3
"""Fragments whose baselines differ by less than this share of the font size: one line."""
NEXT_LINE = 1.6
"""A line closer than this many font sizes below a paragraph's last line may continue it."""
INDENT = 6.0
"""Points within which two lines start at the same place."""


@dataclass
class _Line:
    """One line of a page: its baseline, largest font size, start and pieces (text,
    bold, x)."""

    y: float
    size: float
    x: float = 0.0
    pieces: list[tuple[str, bool, float]] = field(default_factory=list)


def _fragments(page: Any) -> list[tuple[float, float, float, str, bool]]:
    found: list[tuple[float, float, float, str, bool]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text or not text.strip("\n"):
            return
        scale = abs(tm[0] * cm[0]) or 1.0
        x = tm[4] * cm[0] + cm[4]
        y = tm[5] * cm[3] + cm[5]
        name = str((font or {}).get("/BaseFont", "")).lower()
        bold = any(word in name for word in ("bold", "black", "heavy", "semibold"))
        found.append((x, y, size * scale, text.replace("\n", " "), bold))

    page.extract_text(visitor_text=visit)
    return found


def _lines(fragments: list[tuple[float, float, float, str, bool]]) -> list[_Line]:
    lines: list[_Line] = []
    for x, y, size, text, bold in sorted(fragments, key=lambda f: (-f[1], f[0])):
        line = next((ln for ln in lines if abs(ln.y - y) < SAME_LINE * max(size, ln.size)), None)
        if line is None:
            line = _Line(y=y, size=size, x=x)
            lines.append(line)
        line.pieces.append((text, bold, x))
        line.size = max(line.size, size)
    for line in lines:
        line.pieces.sort(key=lambda piece: piece[2])
        line.x = line.pieces[0][2]
    return sorted(lines, key=lambda ln: -ln.y)


def _joined(before: str, after: str) -> str:
    if not before or before.endswith((" ", "-", "\n")):
        return before + after
    return f"{before} {after}"


@dataclass
class _Open:
    """A paragraph being read: its pieces, where its text starts, its last line."""

    level: int
    bullet: bool
    x: float
    y: float
    size: float
    bold: bool
    pieces: list[tuple[str, bool]]


def _paragraphs(lines: list[_Line]) -> list[Paragraph]:
    bullet_xs: list[float] = []
    for line in lines:
        if line.pieces[0][0].strip() in BULLETS and len(line.pieces) > 1:
            if all(abs(line.x - x) > INDENT for x in bullet_xs):
                bullet_xs.append(line.x)
    bullet_xs.sort()
    done: list[_Open] = []
    current: _Open | None = None
    for line in lines:
        pieces = line.pieces
        bullet = pieces[0][0].strip() in BULLETS and len(pieces) > 1
        if bullet:
            level = next(i for i, x in enumerate(bullet_xs) if abs(line.x - x) <= INDENT)
            text_x = pieces[1][2]
            pieces = pieces[1:]
        else:
            level, text_x = 0, line.x
        runs = [(text, bold) for text, bold, _ in pieces]
        line_bold = all(bold for text, bold in runs if text.strip())
        close = current is not None and 0 < current.y - line.y < NEXT_LINE * line.size
        if not bullet and current is not None and close and abs(text_x - current.x) <= INDENT:
            if current.bold and not line_bold:
                current.pieces.append(("\n", False))
            elif current.pieces and not current.pieces[-1][0].endswith((" ", "-")):
                current.pieces.append((" ", False))
            current.pieces += runs
            current.y, current.bold = line.y, line_bold
            continue
        current = _Open(level, bullet, text_x, line.y, line.size, line_bold, runs)
        if not bullet:
            for index, x in enumerate(bullet_xs):  # text under a bullet, at its level
                if text_x > x + INDENT:
                    current.level = index
        done.append(current)
    paragraphs = []
    for item in done:
        text_lines: list[list[tuple[str, bool]]] = [[]]
        for text, bold in item.pieces:
            if text == "\n":
                text_lines.append([])
            else:
                text_lines[-1].append((text, bold))
        text = "\n".join(marked_line(pieces) for pieces in text_lines).strip()
        if text:
            numbered = text.replace("**", "")[:3].rstrip(". )").isdigit()
            paragraphs.append(Paragraph(text, item.level, item.bullet, numbered))
    return paragraphs


def _read_page(number: int, page: Any) -> ImportedSlide:
    lines = [line for line in _lines(_fragments(page)) if clean_text(_plain(line))]
    if not lines:
        return ImportedSlide(number=number, title="")
    biggest = max(line.size for line in lines)
    body_sizes = [line.size for line in lines if line.size < biggest]
    title_lines: list[_Line] = []
    if body_sizes or len(lines) == 1:
        for line in lines:
            if line.size < biggest:
                break
            title_lines.append(line)
    else:
        title_lines = lines[:1]
    title = ""
    for line in title_lines:
        title = _joined(title, _plain(line))
    rest = lines[len(title_lines) :]
    return ImportedSlide(
        number=number, title=clean_text(title), paragraphs=tuple(_paragraphs(rest))
    )


def _plain(line: _Line) -> str:
    return "".join(text for text, _, _ in line.pieces)


def read_pdf(data: bytes, source: str) -> ImportedDeck:
    """The pages of a PDF as slides; DeckError with a sentence when it cannot be read."""
    from pypdf import PdfReader  # lazily: the command line starts without pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opened(reader):
            raise DeckError(
                source,
                1,
                N_("the PDF is password-protected: save it without a password and import that"),
            )
        pages = reader.pages
        if len(pages) > MAX_SLIDES:
            raise DeckError(source, 1, N_("the PDF has more than %(most)s pages"), most=MAX_SLIDES)
        slides = tuple(_read_page(number, page) for number, page in enumerate(pages, start=1))
        metadata = reader.metadata
        title = clean_text(str(metadata.get("/Title", "") or "")) if metadata else ""
    except DeckError:
        raise
    except (PdfReadError, Exception):  # pypdf raises many kinds on a damaged file
        raise DeckError(source, 1, N_("the file is not a readable PDF (damaged?)")) from None
    if not slides:
        raise DeckError(source, 1, N_("the PDF has no pages"))
    return ImportedDeck(
        source=source,
        title=title or next((s.title for s in slides if s.title), "") or source,
        slides=slides,
    )


def _opened(reader: Any) -> bool:
    """Whether an encrypted PDF opens without a password (permissions only)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # a cipher pypdf cannot handle without an extra package
        return False
