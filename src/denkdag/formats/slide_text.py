"""One slide, or a deck's front matter, as the text the browser editor shows in a box.

The editor edits a deck one block at a time: each slide is its deck-file block without its
id (the editor keeps ids, since answers are stored under them), and the front matter its
lines without the `---` fences. Both are written by `formats.deck`'s own writers and read by
`parse_deck`, so a slide typed in the browser is validated exactly as an imported deck is,
with the same `WHERE:LINE: message` errors (lines counted from the box's first line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from denkdag.domain.characters import COLLAPSED_CONTROLS, bad_character
from denkdag.domain.errors import N_, DomainError, InvalidText, Message
from denkdag.domain.kinds import STARTERS
from denkdag.domain.model import Deck, SessionInfo, Slide
from denkdag.formats.deck import DeckError, ImageResolver, parse_deck, write_deck, write_slide
from denkdag.formats.templating import translations

_FRONT = "---\ntitle: -\n---\n"
_FRONT_LINES = 3

NEW_SLIDES: Mapping[str, str] = STARTERS
"""The text a new slide of each kind starts with (`Kind.starter`, a live view of the
registry, in English); it doubles as the kind's syntax hint."""


def new_slide_text(kind: str, language: str) -> str:
    """A new slide's text in `language` (the session's: the room may see its placeholders
    before the facilitator rewrites them). The catalogues translate the words and keep the
    deck syntax; tests/editor checks every translation still reads as its kind."""
    return translations(language).gettext(NEW_SLIDES[kind])


NEW_SESSION = "---\ntitle: -\n---\n\n# -\nlayout: title\n"
"""A new session's deck; `new_deck` gives it the typed title."""
MAX_NEW_TITLE = 200


SLIDE = Message(N_("slide"))
SESSION = Message(N_("session"))
"""What a SlideTextError names before its line number: the slide's or the session's box."""


class SlideTextError(DomainError):
    """A slide's text that cannot be read: `WHERE:LINE: message`, line from the heading."""

    def __init__(
        self, where: str | Message, line: int, message: str | Message, /, **params: Any
    ) -> None:
        reason = Message(message, **params) if isinstance(message, str) else message
        # The frame is not marked for translation: only `where` and the reason are.
        super().__init__(
            Message("%(where)s:%(line)s: %(reason)s", where=where, line=line, reason=reason)
        )
        self.where = where
        self.line = line
        self.reason = reason
        """The sentence without `WHERE:LINE:`, to translate."""
        self.message = str(reason)


def slide_text(slide: Slide) -> str:
    """The slide as its deck-file block, without its id (the editor keeps ids)."""
    return "\n".join(write_slide(slide, with_id=False))


def read_slide(
    text: str, slide_id: str, where: str | Message = SLIDE, images: ImageResolver | None = None
) -> Slide:
    """One slide from its text block, read as a deck file reads it; SlideTextError if not.
    `images` checks the slide's `image:` (the editor: it must be stored for the session)."""
    try:
        deck = parse_deck(_FRONT + text, source=str(where), images=images)
    except DeckError as error:
        raise SlideTextError(where, max(1, error.line - _FRONT_LINES), error.sentence) from None
    lines = re.split(r"\r\n|\r|\n", text)
    if len(deck.slides) != 1:
        headings = [n for n, line in enumerate(lines, start=1) if line.startswith("# ")]
        raise SlideTextError(
            where, headings[1], N_("one slide per box: this line starts another slide")
        )
    slide = deck.slides[0]
    if slide.id != "s1":
        line = next(n for n, text in enumerate(lines, start=1) if text.startswith("id:"))
        raise SlideTextError(where, line, N_("the editor keeps the slide's id: remove this line"))
    return replace(slide, id=slide_id)


def info_text(info: SessionInfo) -> str:
    """The deck's front matter lines (without the '---' fences)."""
    lines = write_deck(Deck(info, (Slide(id="s1", kind="info", title="-"),))).split("\n")
    closing = lines.index("---", 1)
    return "\n".join(lines[1:closing])


def read_info(text: str, where: str | Message = SESSION) -> SessionInfo:
    """The front matter from its lines; SlideTextError (line from the first) if wrong."""
    if re.search(r"^---\s*$", text, re.MULTILINE):
        raise SlideTextError(where, 1, N_("leave out the '---' lines; the editor adds them"))
    try:
        deck = parse_deck(f"---\n{text}\n---\n# -\n", source=str(where))
    except DeckError as error:
        raise SlideTextError(where, max(1, error.line - 1), error.sentence) from None
    return deck.info


def new_deck(title: str, what: str = N_("title")) -> Deck:
    """A session with one title slide, ready to be filled in the editor.

    `title` is what a person typed (`what` names its field: the room's name stands in for
    a missing title): InvalidText when it holds a control character, by the one rule of
    `domain.characters` and in the sentence an event's fields are refused with. The deck
    is built as data, written by the deck writer (which quotes a title starting with a
    quote, as the file needs) and read back, so the new session is exactly what its deck
    file reads as. (Formatting the title into deck text by hand broke on such titles.)"""
    if bad_character(title, COLLAPSED_CONTROLS) is not None:
        raise InvalidText(
            N_("The %(what)s holds characters that cannot be shown."), what=Message(what)
        )
    clean = " ".join(title.split())[:MAX_NEW_TITLE] or "New session"
    blank = parse_deck(NEW_SESSION)
    deck = Deck(
        replace(blank.info, title=clean),
        tuple(replace(slide, title=clean) for slide in blank.slides),
    )
    return parse_deck(write_deck(deck))
