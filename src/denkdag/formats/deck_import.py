"""A slide file (.pptx or .pdf) in: read (`read_slide_file`), its kinds proposed
(formats/detection.py), and, once the facilitator has reviewed them, made into a deck
with its images (`build_bundle`).

The deck is built as data, written by the deck writer and read back by `parse_deck` with
the images resolved as a zip's are, so an imported deck passes every check a typed one
does, and its pictures every check an upload does.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from denkdag.domain.errors import N_, Message
from denkdag.domain.images import IMAGE_FOLDER
from denkdag.domain.kinds.choice import option_id
from denkdag.domain.model import Deck, Option, SessionInfo, Slide
from denkdag.formats import detection, rendering
from denkdag.formats.deck import (
    MAX_ALT,
    MAX_NOTES,
    MAX_TITLE,
    DeckError,
    ImageRefError,
    parse_deck,
    write_deck,
)
from denkdag.formats.deck_zip import MAX_ZIP_BYTES, DeckBundle
from denkdag.formats.detection import Item, Proposal, item_of, split_list, statement_of
from denkdag.formats.images import CleanImage
from denkdag.formats.imported import ImportedDeck, ImportedSlide, Paragraph

MAX_SLIDE_FILE = MAX_ZIP_BYTES
"""Largest .pptx or .pdf accepted (the same as a deck zip)."""
SUFFIXES = (".pptx", ".pdf")
_STARTS_SOMETHING = re.compile(r"^(#|notes:)")


def is_slide_file(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def read_slide_file(data: bytes, source: str, *, draw: bool = True) -> ImportedDeck:
    """A .pptx or .pdf read, with every slide drawn as designed when `draw` and the
    programs are there (formats/rendering.py); DeckError with a sentence if it cannot be."""
    if len(data) > MAX_SLIDE_FILE:
        raise DeckError(
            source,
            1,
            N_("the file is larger than %(most)s MB"),
            most=MAX_SLIDE_FILE // 1_000_000,
        )
    from denkdag.formats.pdf_reader import read_pdf
    from denkdag.formats.pptx_reader import read_pptx

    is_pdf = source.lower().endswith(".pdf")
    if not is_pdf and not source.lower().endswith(".pptx"):
        raise DeckError(source, 1, N_("a slide file is a PowerPoint (.pptx) or a PDF (.pdf)"))
    deck = read_pdf(data, source) if is_pdf else read_pptx(data, source)
    if not draw:
        return deck
    pdf = data if is_pdf else rendering.office_to_pdf(data)
    pages = rendering.draw_pages(pdf) if pdf is not None else None
    if pages is None or len(pages) != len(deck.slides):
        missing = (
            Message(N_("LibreOffice is not installed"))
            if not is_pdf and rendering.office_program() is None
            else Message(N_("the slides could not be drawn"))
        )
        notice = Message(
            N_("%(reason)s: the slides keep their text and pictures, not their design."),
            reason=missing,
        )
        return replace(deck, notices=(*deck.notices, notice))
    slides = tuple(
        replace(slide, rendering=page) for slide, page in zip(deck.slides, pages, strict=True)
    )
    return replace(deck, slides=slides, rendered=True)


def read_slide_path(path: Path, *, draw: bool = True) -> ImportedDeck:
    """`read_slide_file` for a file on disk (the command line)."""
    try:
        if path.stat().st_size > MAX_SLIDE_FILE:
            raise DeckError(
                str(path),
                1,
                N_("the file is larger than %(most)s MB"),
                most=MAX_SLIDE_FILE // 1_000_000,
            )
        data = path.read_bytes()
    except OSError as error:
        raise DeckError(
            str(path), 1, N_("cannot read the file (%(reason)s)"), reason=error.strerror
        ) from None
    return read_slide_file(data, str(path), draw=draw)


def thumbnail_uri(image: CleanImage, width: int = 480) -> str:
    """A small JPEG of an image as a `data:` address, for the review page (the image is
    not stored before the session is made, so it has no address of its own yet)."""
    from PIL import Image

    with Image.open(io.BytesIO(image.data)) as opened:
        small = opened.convert("RGB")
        small.thumbnail((width, width * 2))
        out = io.BytesIO()
        small.save(out, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def proposals(deck: ImportedDeck) -> list[Proposal]:
    """The kind proposed for each slide, in order."""
    return [detection.propose(slide) for slide in deck.slides]


# making the deck -------------------------------------------------------------------------


def _safe(line: str) -> str:
    """A body line that cannot start a slide or the notes block."""
    return f" {line}" if _STARTS_SOMETHING.match(line) else line


def _markdown(paragraphs: list[Paragraph] | tuple[Paragraph, ...]) -> str:
    """Paragraphs as a deck body: bullets as `- ` nested by two spaces per level, other
    paragraphs as text, a blank line between a text paragraph and what follows."""
    out: list[str] = []
    previous_bullet: bool | None = None
    for paragraph in paragraphs:
        lines = paragraph.text.split("\n")
        if previous_bullet is not None and not (paragraph.bullet and previous_bullet):
            out.append("")
        if paragraph.bullet:
            indent = "  " * paragraph.level
            out.append(f"{indent}- {lines[0]}")
            out += [f"{indent}  {line}" for line in lines[1:]]
        else:
            out += [_safe(line) for line in lines]
        previous_bullet = paragraph.bullet
    return "\n".join(out)


def _title(slide: ImportedSlide) -> str:
    title = slide.title or next(
        (p.text.replace("**", "").split("\n")[0] for p in slide.paragraphs), ""
    )
    title = title.strip() or f"({slide.number})"
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def _options(items: list[Item]) -> tuple[Option, ...]:
    return tuple(
        Option(id=option_id(index), label=item.label, description=item.description)
        for index, item in enumerate(items)
    )


def _alt(slide: ImportedSlide, title: str) -> str:
    words = " ".join(p.text.replace("**", "").replace("\n", " ") for p in slide.paragraphs)
    alt = f"{title}: {words}" if words else title
    return alt if len(alt) <= MAX_ALT else alt[: MAX_ALT - 1] + "…"


def _picture(slide: ImportedSlide, title: str, designed: bool) -> tuple[CleanImage, str] | None:
    """The slide's image: the slide as designed when drawn (and wanted), else its first
    picture with the file's own description (or the slide's title)."""
    if designed and slide.rendering is not None:
        return slide.rendering, _alt(slide, title)
    if slide.pictures:
        image, alt = slide.pictures[0]
        alt = alt or title
        return image, alt if len(alt) <= MAX_ALT else alt[: MAX_ALT - 1] + "…"
    return None


def slide_for(slide: ImportedSlide, kind: str, slide_id: str, *, designed: bool = True) -> Slide:
    """The imported slide as a slide of `kind` (one of `detection.KINDS`)."""
    title = _title(slide)
    prompt, listed = split_list(slide.paragraphs)
    items = [item_of(first, nested) for first, nested in listed]
    extra: dict[str, str] = {}
    picture = _picture(slide, title, designed)
    if picture is not None:
        extra |= {"image": f"{IMAGE_FOLDER}{picture[0].name}", "alt": picture[1]}
    notes = slide.notes[:MAX_NOTES]
    if kind in {detection.CHOICE, detection.RANKING}:
        return Slide(
            id=slide_id,
            kind=kind,
            title=title,
            body=_markdown(prompt),
            options=_options(items),
            extra=extra,
            notes=notes,
        )
    if kind == detection.STATEMENT:
        statement = statement_of(slide) or title
        return Slide(
            id=slide_id, kind=kind, title=title, statement=statement, extra=extra, notes=notes
        )
    if slide.title_layout:
        extra["layout"] = "title"
    return Slide(
        id=slide_id,
        kind=detection.INFO,
        title=title,
        body=_markdown(slide.paragraphs),
        extra=extra,
        notes=notes,
    )


def build_bundle(
    deck: ImportedDeck, kinds: Mapping[int, str], *, designed: bool = True
) -> DeckBundle:
    """The deck to create: each slide as the kind chosen for its number (information when
    none is, or when the slide cannot be that kind), its image and notes; read back by
    `parse_deck` so it is exactly what its deck file reads as. DeckError if it is not."""
    images: dict[str, CleanImage] = {}
    slides = []
    for position, slide in enumerate(deck.slides, start=1):
        kind = kinds.get(slide.number, detection.INFO)
        if kind not in detection.possible_kinds(slide):
            kind = detection.INFO
        made = slide_for(slide, kind, f"s{position}", designed=designed)
        slides.append(made)
        picture = _picture(slide, made.title, designed)
        if picture is not None:
            images[picture[0].name] = picture[0]
    title = deck.title.strip() or "Import"
    info = SessionInfo(title=title[:MAX_TITLE])
    text = write_deck(Deck(info, tuple(slides)))

    def stored(ref: str) -> str:
        if ref.removeprefix(IMAGE_FOLDER) not in images:
            raise ImageRefError(N_("image '%(ref)s' is not in the file"), ref=ref)
        return ref

    read = parse_deck(text, source=deck.source, images=stored)
    return DeckBundle(read, images)
