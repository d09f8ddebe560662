"""Deck files: a session written as Markdown, read into a `Deck` and written back.

Grammar (documented with an example in the README):

    ---                           front matter: `key: value` per line
    title: Werksessie 1: Samenwerking
    event: Denkdag                optional: event, date, venue, presenter, role,
    language: nl                  language (nl, en, fr), results (live, hidden),
    questions: show-at-once       questions (Q&A: approve-first, show-at-once, off)
    profile: Ik werk in: bibliotheek / school / andere
                                  up to two profile questions asked once at join,
                                  'question: option / option / …' (domain/profiles.py)
    pace: audience                pace (presenter, or audience: a survey at one's own pace)
    ---
    # Slide title                 a level-1 heading starts a slide
    kind: choice                  settings directly under the heading: kind, id,
    section: Samenwerking         section, timer, timer_closes (domain/timer.py),
                                  image and alt (a picture and its required alt text),
    image: images/zaal.jpg        and the kind's own (multiple, layout …)
    alt: De zaal vol mensen

    Body text, as the kind reads it (options, statement, bullets …).

    notes:                        the speaker's notes, last in the slide: every line
      Say hello first.            after `notes:` (indented two spaces when written),
                                  for facilitators only

Reading is all or nothing: the first problem raises DeckError with the line number and a
sentence saying what is wrong, and no slide is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from denkdag.domain import timer
from denkdag.domain.characters import LINE_CONTROLS, bad_character
from denkdag.domain.errors import N_, Gettext, Message
from denkdag.domain.kinds import DEFAULT_KIND, KINDS, DeckSyntaxError, Line, SlideSource, kind_of
from denkdag.domain.model import (
    LANGUAGES,
    PACES,
    PHONE_RESULTS,
    YES_NO,
    Deck,
    ResultsMode,
    SessionInfo,
    Slide,
)
from denkdag.domain.profiles import MAX_QUESTIONS as MAX_PROFILE_QUESTIONS
from denkdag.domain.profiles import (
    ProfileQuestion,
    ProfileSyntaxError,
    read_question,
    write_question,
)
from denkdag.domain.questions import MODES as QUESTION_MODES

MAX_DECK_BYTES = 1_000_000
MAX_SLIDES = 500
MAX_TITLE = 300
MAX_ALT = 300
MAX_IMAGE_REF = 200
MAX_NOTES = 20_000
NOTES_KEY = "notes"
_NOTES = re.compile(r"^notes:(?:[ \t]+(?P<first>.*))?[ \t]*$")
NOTES_INDENT = "  "
IMAGE_SETTINGS = frozenset({"image", "alt"})
"""A slide's picture (`image: images/photo.jpg`) and its alt text: kept in `Slide.extra`."""
COMMON_SETTINGS = frozenset({"kind", "id", "section"}) | timer.SETTINGS | IMAGE_SETTINGS
_IMAGE_REF = re.compile(
    r"^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/){0,4}[A-Za-z0-9_-][A-Za-z0-9._-]*"
    r"\.(?:png|jpe?g|webp|gif)$",
    re.IGNORECASE,
)
FRONT_MATTER_KEYS = tuple(f.name for f in fields(SessionInfo))
MAX_CAPACITY = 1_000_000
_SETTING = re.compile(r"^(?P<key>[a-z][a-z_]*):(?:\s+(?P<value>.*))?$")
_SLIDE_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_FENCE = "---"
PROFILE_KEY = "profile"


class DeckError(Exception):
    """A deck that cannot be read: `FILE:LINE: what is wrong`.

    `message` is an `N_()` template with named `params` (or a ready `Message`): `message`
    the attribute is the English sentence, `translated(gettext)` the whole line with the
    sentence translated (the file and line stay as they are)."""

    def __init__(self, source: str, line: int, message: str | Message, /, **params: Any) -> None:
        self.source = source
        self.line = line
        self.sentence = Message(message, **params) if isinstance(message, str) else message
        self.message = str(self.sentence)
        super().__init__(source, line, self.message)

    @property
    def located(self) -> Message:
        """`FILE:LINE: sentence` as a Message: only the sentence is translated."""
        return Message(
            "%(source)s:%(line)s: %(reason)s",
            source=self.source,
            line=self.line,
            reason=self.sentence,
        )

    def translated(self, gettext: Gettext) -> str:
        return self.located.translated(gettext)

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class ImageRefError(Exception):
    """Raised by an image resolver (see `parse_deck`): the message names what is wrong
    with the image a slide refers to; the reader adds the file and line."""

    def __init__(self, message: str | Message, /, **params: Any) -> None:
        self.sentence = Message(message, **params) if isinstance(message, str) else message
        super().__init__(str(self.sentence))


ImageResolver = Callable[[str], str]
"""Maps an `image:` reference to the one to keep (a stored image's name) or raises
ImageRefError: a zip import cleans the file it names, the editor checks it is stored."""


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _decode(data: bytes) -> str:
    data = data.removeprefix(b"\xef\xbb\xbf")  # so error.start counts from the same byte
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DeckSyntaxError(line, N_("the file is not UTF-8 text")) from None


def _front_matter(lines: list[Line]) -> tuple[SessionInfo, int]:
    """Read the front matter; return it and the index of the first line after it."""
    if not lines or lines[0].text.strip() != _FENCE:
        raise DeckSyntaxError(
            1, N_("a deck starts with front matter: a '---' line, 'title: …', and '---'")
        )
    values: dict[str, str] = {}
    profile: list[ProfileQuestion] = []
    for index in range(1, len(lines)):
        line = lines[index]
        text = line.text.strip()
        if text == _FENCE:
            return _session_info(values, tuple(profile), index), index + 1
        if not text or text.startswith("#"):
            continue
        key, sep, value = text.partition(":")
        key = key.strip().lower()
        if not sep or not key:
            raise DeckSyntaxError(line.number, N_("front matter lines are 'key: value'"))
        if key not in FRONT_MATTER_KEYS:
            known = ", ".join(FRONT_MATTER_KEYS)
            raise DeckSyntaxError(
                line.number,
                N_("unknown front matter key '%(key)s' (use %(known)s)"),
                key=key,
                known=known,
            )
        if key == PROFILE_KEY:
            profile.append(_profile_question(line, _unquote(value), len(profile) + 1))
            continue
        if key in values:
            raise DeckSyntaxError(line.number, N_("'%(key)s' is given twice"), key=key)
        values[key] = _unquote(value)
        if key == "language" and values[key] not in LANGUAGES:
            raise DeckSyntaxError(
                line.number,
                N_("language must be one of %(languages)s, not '%(value)s'"),
                languages=", ".join(LANGUAGES),
                value=values[key],
            )
        if key == "results" and values[key] not in {mode.value for mode in ResultsMode}:
            raise DeckSyntaxError(
                line.number,
                N_("results must be live or hidden, not '%(value)s'"),
                value=values[key],
            )
        if key == "pace" and values[key] not in PACES:
            raise DeckSyntaxError(
                line.number,
                N_("pace must be one of %(paces)s, not '%(value)s'"),
                paces=", ".join(PACES),
                value=values[key],
            )
        if key == "phone_results" and values[key] not in PHONE_RESULTS:
            raise DeckSyntaxError(
                line.number,
                N_("phone_results must be one of %(modes)s, not '%(value)s'"),
                modes=", ".join(PHONE_RESULTS),
                value=values[key],
            )
        if key == "next_closes" and values[key] not in YES_NO:
            raise DeckSyntaxError(
                line.number, N_("next_closes must be yes or no, not '%(value)s'"), value=values[key]
            )
        if key == "capacity" and not (
            values[key].isascii() and values[key].isdigit() and 0 < int(values[key]) <= MAX_CAPACITY
        ):
            raise DeckSyntaxError(
                line.number,
                N_("capacity is a number of participants from 1 to %(most)s, not '%(value)s'"),
                most=MAX_CAPACITY,
                value=values[key],
            )
        if key == "questions" and values[key] not in QUESTION_MODES:
            raise DeckSyntaxError(
                line.number,
                N_("questions must be one of %(modes)s, not '%(value)s'"),
                modes=", ".join(QUESTION_MODES),
                value=values[key],
            )
    raise DeckSyntaxError(lines[0].number, N_("the front matter has no closing '---' line"))


def _profile_question(line: Line, value: str, position: int) -> ProfileQuestion:
    """One `profile:` line (the only front matter key that may be given more than once)."""
    if position > MAX_PROFILE_QUESTIONS:
        raise DeckSyntaxError(
            line.number,
            N_("at most %(most)s profile questions: keep it short"),
            most=MAX_PROFILE_QUESTIONS,
        )
    try:
        return read_question(value, position)
    except ProfileSyntaxError as error:
        raise DeckSyntaxError(line.number, error.sentence) from None


def _session_info(
    values: dict[str, str], profile: tuple[ProfileQuestion, ...], closing: int
) -> SessionInfo:
    if not values.get("title", "").strip():
        raise DeckSyntaxError(closing + 1, N_("the front matter needs a 'title: …'"))
    results = ResultsMode(values.pop("results", ResultsMode.LIVE.value))
    capacity = int(values.pop("capacity", "0"))
    return SessionInfo(**values, results=results, profile=profile, capacity=capacity)


def _split_slides(lines: list[Line]) -> list[tuple[Line, list[Line]]]:
    blocks: list[tuple[Line, list[Line]]] = []
    for line in lines:
        if line.text.startswith("#"):
            if not re.match(r"^# \S", line.text):
                raise DeckSyntaxError(
                    line.number, N_("a slide heading is '# ' followed by its title (one '#')")
                )
            blocks.append((line, []))
        elif blocks:
            blocks[-1][1].append(line)
        elif line.text.strip():
            raise DeckSyntaxError(
                line.number, N_("text before the first slide: start a slide with '# '")
            )
    return blocks


def _split_notes(body: list[Line]) -> tuple[list[Line], str]:
    """The slide's lines before its `notes:` block, and the notes: every line after it,
    less the two spaces the writer indents them by (so a note line never starts a slide)."""
    start = next((i for i, line in enumerate(body) if _NOTES.match(line.text)), None)
    if start is None:
        return body, ""
    first = _NOTES.match(body[start].text)
    assert first is not None
    lines = [first["first"]] if first["first"] else []
    lines += [line.text.removeprefix(NOTES_INDENT).rstrip() for line in body[start + 1 :]]
    notes = "\n".join(lines).strip("\n")
    if len(notes) > MAX_NOTES:
        raise DeckSyntaxError(
            body[start].number,
            N_("speaker notes are at most %(most)s characters"),
            most=MAX_NOTES,
        )
    return body[:start], notes


def write_notes(notes: str) -> list[str]:
    """The `notes:` block of a slide (none without notes), as `_split_notes` reads it."""
    if not notes:
        return []
    return [
        "",
        f"{NOTES_KEY}:",
        *(NOTES_INDENT + line if line else "" for line in notes.split("\n")),
    ]


def _slide_source(heading: Line, lines: list[Line]) -> tuple[SlideSource, str]:
    """The slide as written, and its speaker notes."""
    body, notes = _split_notes(lines)
    title = heading.text[2:].strip()
    if len(title) > MAX_TITLE:
        raise DeckSyntaxError(
            heading.number, N_("the title is longer than %(most)s characters"), most=MAX_TITLE
        )
    settings: dict[str, str] = {}
    setting_lines: dict[str, Line] = {}
    index = 0
    while index < len(body):
        match = _SETTING.match(body[index].text)
        if not match:
            break
        key = match["key"]
        if key in settings:
            raise DeckSyntaxError(
                body[index].number, N_("'%(key)s' is given twice for this slide"), key=key
            )
        settings[key] = (match["value"] or "").strip()
        setting_lines[key] = body[index]
        index += 1
    return SlideSource(
        heading=heading,
        title=title,
        settings=settings,
        setting_lines=setting_lines,
        body=body[index:],
    ), notes


def _image_ref(value: str, line: Line) -> str:
    """A checked `image:` value: a relative file in the deck's folder or zip."""
    lowered = value.lower()
    if "://" in value or lowered.startswith(("data:", "//", "/")):
        raise DeckSyntaxError(
            line.number,
            N_(
                "an image is a file beside the deck (images/photo.jpg), not a web address: images "
                "are never fetched from elsewhere"
            ),
        )
    if lowered.endswith(".svg"):
        raise DeckSyntaxError(
            line.number,
            N_("SVG images are refused (they can carry script): use PNG, JPEG, WebP or GIF"),
        )
    if len(value) > MAX_IMAGE_REF or not _IMAGE_REF.match(value):
        raise DeckSyntaxError(
            line.number,
            N_(
                "an image is a file name such as images/photo.jpg (letters, digits, '.', '-', "
                "'_'; a .png, .jpg, .webp or .gif file)"
            ),
        )
    return value


def _read_image(source: SlideSource, images: ImageResolver | None) -> dict[str, str]:
    """The slide's image settings as `extra` entries; alt text is required with an image."""
    settings, lines = source.settings, source.setting_lines
    if "image" not in settings:
        if "alt" in settings:
            raise DeckSyntaxError(
                lines["alt"].number,
                N_("'alt' describes the slide's image: add 'image: …' or remove this line"),
            )
        return {}
    line = lines["image"]
    ref = _image_ref(settings["image"], line)
    alt = settings.get("alt", "").strip()
    if not alt:
        raise DeckSyntaxError(
            lines["alt"].number if "alt" in lines else line.number,
            N_(
                "a slide image needs alt text: add 'alt: …' saying what the image shows, for "
                "people who cannot see it"
            ),
        )
    if len(alt) > MAX_ALT:
        raise DeckSyntaxError(
            lines["alt"].number, N_("alt text is at most %(most)s characters"), most=MAX_ALT
        )
    if images is not None:
        try:
            ref = images(ref)
        except ImageRefError as error:
            raise DeckSyntaxError(line.number, error.sentence) from None
    return {"image": ref, "alt": alt}


def image_settings(slide: Slide) -> list[str]:
    """The `image:` and `alt:` lines of a slide (none without an image)."""
    image = slide.extra.get("image")
    if not image:
        return []
    return [f"image: {image}", f"alt: {slide.extra.get('alt', '')}"]


def _read_slide(
    source: SlideSource, slide_id: str, images: ImageResolver | None = None, notes: str = ""
) -> Slide:
    kind_name = source.settings.get("kind", DEFAULT_KIND)
    if kind_name not in KINDS:
        known = ", ".join(sorted(KINDS))
        raise DeckSyntaxError(
            source.setting_lines["kind"].number,
            N_("unknown kind '%(kind_name)s' (use %(known)s)"),
            kind_name=kind_name,
            known=known,
        )
    kind = kind_of(kind_name)
    allowed = COMMON_SETTINGS | kind.settings
    for key, line in source.setting_lines.items():
        if key not in allowed:
            raise DeckSyntaxError(
                line.number,
                N_(
                    "unknown setting '%(key)s' for a %(kind_name)s slide (use %(allowed)s); leave "
                    "a blank line under the heading if this is text"
                ),
                key=key,
                kind_name=kind_name,
                allowed=", ".join(sorted(allowed)),
            )
    content = kind.read(source)
    timer_settings = timer.read_settings(source, kind.asks)
    picture = _read_image(source, images)
    return Slide(
        id=slide_id,
        kind=kind_name,
        title=source.title,
        section=source.settings.get("section", ""),
        body=content.body,
        options=tuple(content.options),
        multiple=content.multiple,
        statement=content.statement,
        extra=dict(content.extra or {}) | timer_settings | picture,
        notes=notes,
    )


def _slide_ids(sources: list[SlideSource]) -> list[str]:
    """Ids as written (`id: …`) or s1, s2 … by position, never colliding."""
    given: dict[str, Line] = {}
    for source in sources:
        if "id" in source.settings:
            value, line = source.settings["id"], source.setting_lines["id"]
            if not _SLIDE_ID.match(value):
                raise DeckSyntaxError(
                    line.number, N_("a slide id is 1–40 letters, digits, '-' or '_'")
                )
            if value in given:
                raise DeckSyntaxError(
                    line.number,
                    N_("slide id '%(value)s' is already used on line %(number)s"),
                    value=value,
                    number=given[value].number,
                )
            given[value] = line
    ids: list[str] = []
    for position, source in enumerate(sources, start=1):
        if "id" in source.settings:
            ids.append(source.settings["id"])
            continue
        candidate, suffix = f"s{position}", 0
        while candidate in given or candidate in ids:
            suffix += 1
            candidate = f"s{position}-{suffix}"
        ids.append(candidate)
    return ids


def parse_deck(
    text: str | bytes, source: str = "<deck>", images: ImageResolver | None = None
) -> Deck:
    """Read a deck; raise DeckError (`source:line: message`) on the first problem.

    `images`, when given, maps every slide's `image:` reference (see ImageResolver);
    without it references are only checked for their form."""
    try:
        if isinstance(text, bytes):
            if len(text) > MAX_DECK_BYTES:
                raise DeckSyntaxError(
                    1, N_("the file is larger than %(most)s bytes"), most=MAX_DECK_BYTES
                )
            text = _decode(text)
        elif len(text) > MAX_DECK_BYTES:
            raise DeckSyntaxError(
                1, N_("the file is larger than %(most)s characters"), most=MAX_DECK_BYTES
            )
        text = text.removeprefix("\ufeff")
        # Only \n, \r\n and \r end a line (as in editors); str.splitlines would also split
        # on \f, \v, \x1c-\x1e, \x85, \u2028 … and hide them from the control-character check.
        raw_lines = re.split(r"\r\n|\r|\n", text)
        if raw_lines[-1] == "":
            raw_lines.pop()
        lines = [Line(number, raw) for number, raw in enumerate(raw_lines, start=1)]
        for line in lines:
            if bad_character(line.text, LINE_CONTROLS) is not None:
                raise DeckSyntaxError(line.number, N_("the line holds a control character"))
        info, body_start = _front_matter(lines)
        blocks = _split_slides(lines[body_start:])
        if not blocks:
            last = lines[-1].number if lines else 1
            raise DeckSyntaxError(last, N_("the deck has no slides: start one with '# Title'"))
        if len(blocks) > MAX_SLIDES:
            raise DeckSyntaxError(
                blocks[MAX_SLIDES][0].number, N_("at most %(most)s slides"), most=MAX_SLIDES
            )
        read = [_slide_source(heading, body) for heading, body in blocks]
        sources = [src for src, _notes in read]
        ids = _slide_ids(sources)
        slides = tuple(
            _read_slide(src, slide_id, images, notes)
            for (src, notes), slide_id in zip(read, ids, strict=True)
        )
    except DeckSyntaxError as error:
        raise DeckError(source, error.line, error.sentence) from None
    return Deck(info=info, slides=slides)


def read_deck_file(path: Path) -> Deck:
    """Read a deck file; the error names the file as given."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DeckError(
            str(path), 1, N_("cannot read the file (%(reason)s)"), reason=error.strerror
        ) from None
    return parse_deck(data, source=str(path))


def _quote(value: str) -> str:
    return f'"{value}"' if value != value.strip() or value[:1] in "\"'" else value


def write_deck(deck: Deck) -> str:
    """The deck as text that `parse_deck` reads back into an equal deck."""
    out = [_FENCE]
    info = deck.info
    for key in FRONT_MATTER_KEYS:
        if key == PROFILE_KEY:
            out += [f"{key}: {_quote(write_question(q))}" for q in info.profile]
            continue
        value = getattr(info, key)
        default = getattr(SessionInfo(title=""), key)
        if key == "title" or value != default:
            out.append(f"{key}: {_quote(str(value))}")
    out.append(_FENCE)
    for position, slide in enumerate(deck.slides, start=1):
        out.append("")
        out += write_slide(slide, with_id=slide.id != f"s{position}")
    return "\n".join(out) + "\n"


def write_slide(slide: Slide, *, with_id: bool) -> list[str]:
    """One slide's block of a deck file, as lines: the one writer for whole decks and for
    the editor's box of one slide (formats/slide_text.py), so a new slide setting is
    written in one place. `with_id`: write its `id:` line (a deck file leaves it out where
    the id is the slide's position, `s3`; the editor keeps ids apart from the text)."""
    settings, body = kind_of(slide.kind).write(slide)
    out = [f"# {slide.title}"]
    if slide.kind != DEFAULT_KIND:
        out.append(f"kind: {slide.kind}")
    if with_id:
        out.append(f"id: {slide.id}")
    if slide.section:
        out.append(f"section: {slide.section}")
    out += [f"{key}: {value}" for key, value in settings.items()]
    out += [f"{key}: {value}" for key, value in timer.write_settings(slide).items()]
    out += image_settings(slide)
    if body:
        out += ["", *body]
    return out + write_notes(slide.notes)
