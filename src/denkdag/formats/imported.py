"""A slide file (PowerPoint or PDF) as read, before it becomes a deck: what the importers
(`pptx_reader`, `pdf_reader`) produce, what `detection` proposes a kind for, what the
review page shows and `deck_import` turns into a deck.

Text is kept as the deck format writes it: bold runs as `**bold**`, one `Paragraph` per
bullet with its level (0 at the top), so nested bullets survive. Pictures are already
cleaned (formats/images.py), so a slide file's images pass the same checks as an upload.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from denkdag.domain.errors import Message
from denkdag.formats.images import CleanImage


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a slide's text: `**bold**` marked, its bullet level (0 = top),
    whether it shows a bullet and whether that bullet is a number (1., 2. …)."""

    text: str
    level: int = 0
    bullet: bool = False
    numbered: bool = False


@dataclass(frozen=True)
class ImportedSlide:
    """One slide of the file: its title, text, pictures, speaker notes, and the slide as
    designed (`rendering`, from LibreOffice or the PDF page) when it could be drawn."""

    number: int
    title: str
    paragraphs: tuple[Paragraph, ...] = ()
    notes: str = ""
    title_layout: bool = False
    pictures: tuple[tuple[CleanImage, str], ...] = ()
    """Cleaned pictures with their alt text (the file's own description, or empty)."""
    rendering: CleanImage | None = None


@dataclass(frozen=True)
class ImportedDeck:
    """A slide file as read: its title, slides, and what the reader could not keep
    (`notices`: refused pictures, no LibreOffice to draw the slides …)."""

    source: str
    title: str
    slides: tuple[ImportedSlide, ...]
    notices: tuple[Message, ...] = field(default=())
    rendered: bool = False


_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_text(text: str) -> str:
    """Text from a slide file as one line of a deck: line breaks and tabs become spaces,
    other control and format characters go (a deck refuses them), spaces are collapsed."""
    kept = []
    for ch in text.replace("\v", " ").replace("\n", " ").replace("\r", " "):
        category = unicodedata.category(ch)
        if category in {"Cc", "Cs"} and ch != "\t":
            continue
        if category == "Co":  # private-use glyphs: a symbol font's bullets
            continue
        kept.append(ch)
    return _SPACES.sub(" ", "".join(kept)).strip()


def marked_line(pieces: list[tuple[str, bool]]) -> str:
    """One line from pieces of text and whether each is bold: neighbouring pieces of the
    same weight joined, bold ones marked `**…**` with the spaces around them outside the
    marks (so the deck reads them as bold)."""
    merged: list[list[Any]] = []
    for text, bold in pieces:
        if merged and merged[-1][1] == bold:
            merged[-1][0] += text
        else:
            merged.append([text, bold])
    out = []
    for text, bold in merged:
        cleaned = clean_text(text)
        if bold and cleaned:
            lead = " " if text[:1].isspace() else ""
            trail = " " if text[-1:].isspace() else ""
            out.append(f"{lead}**{cleaned}**{trail}")
        else:
            out.append(text)
    return clean_text("".join(out))


def clean_block(text: str) -> str:
    """Several lines (speaker notes): each line cleaned, blank lines at the ends dropped."""
    lines = re.split(r"\r\n|\r|\n|\v", text)
    return "\n".join(clean_text(line) for line in lines).strip("\n")


# stored between the upload and the facilitator's review (storage/pending_imports.py) ---


def _message(message: Message) -> dict[str, Any]:
    params = {
        name: _message(value) if isinstance(value, Message) else value
        for name, value in message.params.items()
    }
    return {"template": message.template, "params": params}


def _read_message(data: dict[str, Any]) -> Message:
    params = {
        name: _read_message(value) if isinstance(value, dict) else value
        for name, value in data["params"].items()
    }
    return Message(data["template"], **params)


def _image(image: CleanImage) -> dict[str, Any]:
    return {
        "media_type": image.media_type,
        "width": image.width,
        "height": image.height,
        "data": base64.b64encode(image.data).decode("ascii"),
    }


def _read_image(data: dict[str, Any]) -> CleanImage:
    return CleanImage(
        media_type=data["media_type"],
        width=data["width"],
        height=data["height"],
        data=base64.b64decode(data["data"]),
    )


def deck_as_dict(deck: ImportedDeck) -> dict[str, Any]:
    """The read file as JSON-ready data (images base64), to keep until it is reviewed."""
    return {
        "source": deck.source,
        "title": deck.title,
        "rendered": deck.rendered,
        "notices": [_message(notice) for notice in deck.notices],
        "slides": [
            {
                "number": s.number,
                "title": s.title,
                "paragraphs": [[p.text, p.level, p.bullet, p.numbered] for p in s.paragraphs],
                "notes": s.notes,
                "title_layout": s.title_layout,
                "pictures": [[_image(image), alt] for image, alt in s.pictures],
                "rendering": _image(s.rendering) if s.rendering else None,
            }
            for s in deck.slides
        ],
    }


def deck_from_dict(data: dict[str, Any]) -> ImportedDeck:
    """`deck_as_dict` read back."""
    return ImportedDeck(
        source=data["source"],
        title=data["title"],
        rendered=data["rendered"],
        notices=tuple(_read_message(notice) for notice in data["notices"]),
        slides=tuple(
            ImportedSlide(
                number=s["number"],
                title=s["title"],
                paragraphs=tuple(Paragraph(*p) for p in s["paragraphs"]),
                notes=s["notes"],
                title_layout=s["title_layout"],
                pictures=tuple((_read_image(image), alt) for image, alt in s["pictures"]),
                rendering=_read_image(s["rendering"]) if s["rendering"] else None,
            )
            for s in data["slides"]
        ),
    )
