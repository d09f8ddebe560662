"""A PowerPoint file (.pptx) read into an `ImportedDeck`: each slide's title, text with its
bullet levels and bold runs, pictures (cleaned like an upload) and speaker notes.

A .pptx is an untrusted zip: its size, number of parts and unpacked size are checked
before python-pptx reads it, so a zip bomb is refused unread. A password-protected file
(or an old binary .ppt) is an OLE container, not a zip, and is named as such. python-pptx
is imported when a file is read, so the command line starts without it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from denkdag.domain.errors import N_, Message
from denkdag.formats.deck import DeckError
from denkdag.formats.images import ImageRefused, clean_image
from denkdag.formats.imported import (
    ImportedDeck,
    ImportedSlide,
    Paragraph,
    clean_block,
    clean_text,
    marked_line,
)

MAX_PARTS = 5000
MAX_UNPACKED = 300_000_000
"""Bytes a .pptx may unpack to in all (media included): more is refused unread."""
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s")
_BODY_PLACEHOLDERS = {"BODY", "OBJECT", "SUBTITLE", "VERTICAL_BODY", "VERTICAL_OBJECT"}
_TITLE_PLACEHOLDERS = {"TITLE", "CENTER_TITLE", "VERTICAL_TITLE"}


def check_package(data: bytes, source: str) -> None:
    """Refuse what is not a readable, reasonably sized Office zip, with a sentence."""
    if data.startswith(OLE_SIGNATURE):
        raise DeckError(
            source,
            1,
            N_(
                "the file is password-protected or an old .ppt: save it as a .pptx without a "
                "password and import that"
            ),
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DeckError(
            source, 1, N_("the file is not a readable PowerPoint (.pptx) file")
        ) from None
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise DeckError(
            source,
            1,
            N_("the PowerPoint file unpacks to more than %(most)s MB: make it smaller"),
            most=MAX_UNPACKED // 1_000_000,
        )


def _runs(paragraph: Any) -> str:
    """The paragraph's text with bold runs as `**bold**` and line breaks as newlines."""
    pieces: list[tuple[str, bool]] = []
    for child in paragraph._p:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "br":
            pieces.append(("\n", False))
        elif tag in {"r", "fld"}:
            text = "".join(t.text or "" for t in child.iter(f"{_A}t"))
            props = child.find(f"{_A}rPr")
            bold = props is not None and props.get("b") in {"1", "true"}
            pieces.append((text, bold))
    lines: list[str] = []
    current: list[tuple[str, bool]] = []
    for text, bold in [*pieces, ("\n", False)]:
        if text == "\n":
            lines.append(marked_line(current))
            current = []
        else:
            current.append((text, bold))
    return "\n".join(lines).strip("\n")


def _bullet(paragraph: Any, in_body: bool) -> tuple[bool, bool]:
    """Whether the paragraph shows a bullet, and whether that bullet is a number."""
    props = paragraph._p.find(f"{_A}pPr")
    marks = {child.tag.rsplit("}", 1)[-1] for child in props} if props is not None else set()
    numbered = "buAutoNum" in marks or bool(_NUMBERED.match(paragraph.text or ""))
    if "buNone" in marks:
        return False, False
    return in_body or bool(marks & {"buChar", "buAutoNum"}), numbered


def _placeholder_type(shape: Any) -> str | None:
    if not shape.is_placeholder:
        return None
    return str(shape.placeholder_format.type).split(".")[-1].split(" ")[0]


def _shapes(shapes: Any) -> Iterator[Any]:
    """Every shape, groups opened, top to bottom then left to right."""

    def place(shape: Any) -> tuple[int, int]:
        return (int(shape.top or 0), int(shape.left or 0))

    for shape in sorted(shapes, key=place):
        if getattr(shape, "shape_type", None) == 6:  # MSO_SHAPE_TYPE.GROUP
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _read_slide(number: int, slide: Any, notices: list[Message]) -> ImportedSlide:
    title_shape = slide.shapes.title
    title = clean_text(title_shape.text_frame.text) if title_shape is not None else ""
    title_layout = False
    paragraphs: list[Paragraph] = []
    pictures = []
    for shape in _shapes(slide.shapes):
        kind = _placeholder_type(shape)
        if kind == "CENTER_TITLE" or kind == "SUBTITLE":
            title_layout = True
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        if kind in _TITLE_PLACEHOLDERS:
            continue
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            in_body = kind in _BODY_PLACEHOLDERS and kind != "SUBTITLE"
            for paragraph in shape.text_frame.paragraphs:
                text = _runs(paragraph)
                if not text.strip():
                    continue
                bullet, numbered = _bullet(paragraph, in_body)
                paragraphs.append(Paragraph(text, int(paragraph.level), bullet, numbered))
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [clean_text(cell.text) for cell in row.cells]
                if any(cells):
                    paragraphs.append(Paragraph(" | ".join(cells), 0, True, False))
        image = getattr(shape, "image", None) if shape.shape_type == 13 else None
        if image is not None:
            try:
                cleaned = clean_image(image.blob)
            except ImageRefused as refused:
                notices.append(
                    Message(
                        N_("slide %(number)s: a picture was left out. %(reason)s"),
                        number=number,
                        reason=refused.sentence,
                    )
                )
                continue
            alt = clean_text(shape._element._nvXxPr.cNvPr.get("descr", ""))
            pictures.append((cleaned, alt))
    notes = ""
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        notes = clean_block(slide.notes_slide.notes_text_frame.text)
    return ImportedSlide(
        number=number,
        title=title,
        paragraphs=tuple(paragraphs),
        notes=notes,
        title_layout=title_layout,
        pictures=tuple(pictures),
    )


def read_pptx(data: bytes, source: str) -> ImportedDeck:
    """The slides of a .pptx; DeckError with a sentence when it cannot be read."""
    check_package(data, source)
    from pptx import Presentation  # lazily: the command line starts without python-pptx

    try:
        presentation = Presentation(io.BytesIO(data))
        notices: list[Message] = []
        slides = tuple(
            _read_slide(number, slide, notices)
            for number, slide in enumerate(presentation.slides, start=1)
        )
        title = clean_text(presentation.core_properties.title or "")
    except DeckError:
        raise
    except Exception:  # python-pptx raises many kinds on a damaged part
        raise DeckError(
            source, 1, N_("the file is not a readable PowerPoint (.pptx) file (damaged?)")
        ) from None
    if not slides:
        raise DeckError(source, 1, N_("the PowerPoint file has no slides"))
    return ImportedDeck(
        source=source,
        title=title or next((s.title for s in slides if s.title), "") or source,
        slides=slides,
        notices=tuple(notices),
    )
