"""Events: a think-day of one plenary and parallel working sessions, as values.

Everything an event decides without storage lives here: which colours and logos are
acceptable, how the event's colours become readable page colours, and which slides of
its sessions ask "the same statement" so the organiser can put the rooms side by side.
Pure standard library, like the rest of the domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from denkdag.domain.characters import COLLAPSED_CONTROLS, bad_character
from denkdag.domain.errors import N_, Capitalised, DomainError, Message
from denkdag.domain.kinds import STANCES, kind_of
from denkdag.domain.matching import normalised, slide_key
from denkdag.domain.model import Slide
from denkdag.domain.numbers import percent
from denkdag.domain.profiles import ProfileQuestion, ProfileSyntaxError, read_questions
from denkdag.domain.tally import Tally

PLENARY = "plenary"
WORKING = "working"
ROLES = (PLENARY, WORKING)

MAX_TITLE = 200
MAX_VENUE = 200
MAX_ROOM = 80
MAX_LINK = 80
MAX_LOGO_BYTES = 1024 * 1024
"""A logo is shown small on phones: 1 MB is plenty, and it lives in the database."""

DEFAULT_PRIMARY = "#e4003a"
DEFAULT_SECONDARY = "#14213d"
WHITE = "#ffffff"
PAGE = "#f3f5f9"
"""The pages' grey background (`--soft` in denkdag.css): the darkest surface the event's
colours are read on, so contrast is measured against it, not against white."""
TEXT_CONTRAST = 4.5
"""WCAG AA for body text: links and labels in the event's colour stay readable."""
GRAPHIC_CONTRAST = 3.0
"""WCAG AA for graphical objects (result bars) against the page."""


class InvalidEvent(DomainError):
    """An event field that cannot be accepted as given; the sentence says what to change."""


@dataclass(frozen=True)
class Event:
    """A think-day: its own join code, its branding, and the organiser who owns it."""

    id: int
    code: str
    title: str
    date: date | None
    venue: str
    organiser_id: int | None
    primary: str = DEFAULT_PRIMARY
    secondary: str = DEFAULT_SECONDARY
    logo_digest: str | None = None
    """SHA-256 of the logo's bytes (None: no logo); versions the logo's URL for caching."""
    profile: tuple[ProfileQuestion, ...] = ()
    """The event's profile questions (at most two): every session of the event asks these
    instead of its deck's own (`Events.update` copies them into each session's deck)."""


@dataclass(frozen=True)
class EventSession:
    """One session of an event: the plenary or a working session in its room."""

    event_id: int
    session_id: int
    role: str
    room: str
    facilitator_id: int | None
    position: int


# fields --------------------------------------------------------------------------------

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_colour(text: str, field: str = N_("colour")) -> str:
    """A colour as `#rrggbb` (lower case) from `#rgb` or `#rrggbb`; InvalidEvent otherwise."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        raise InvalidEvent(
            N_("The %(field)s '%(value)s' is not a colour: write it as #RRGGBB, e.g. #E4003A."),
            field=field,
            value=text.strip()[:20],
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits


def clean_text(text: str, limit: int, what: str, *, required: bool = False) -> str:
    """One line of plain text: whitespace collapsed, control characters refused (the one
    rule of `domain.characters`, checked before collapsing: `str.split` would turn some of
    them, e.g. U+001C and U+0085, into spaces).

    `what` names the field (`N_("title")`): it is translated with the sentence."""
    field = Message(what)
    if bad_character(text, COLLAPSED_CONTROLS) is not None:
        raise InvalidEvent(N_("The %(what)s holds characters that cannot be shown."), what=field)
    clean = " ".join(text.split())
    if required and not clean:
        raise InvalidEvent(N_("Give the event a %(what)s."), what=field)
    if len(clean) > limit:
        raise InvalidEvent(
            N_("The %(what)s is longer than %(limit)s characters; shorten it."),
            what=field,
            limit=limit,
        )
    return clean


def parse_date(text: str) -> date | None:
    """An ISO date (YYYY-MM-DD), or None when empty; InvalidEvent otherwise."""
    clean = text.strip()
    if not clean:
        return None
    try:
        return date.fromisoformat(clean)
    except ValueError:
        raise InvalidEvent(
            N_("'%(value)s' is not a date: write it as YYYY-MM-DD."), value=clean[:20]
        ) from None


def parse_profile(values: Iterable[str]) -> tuple[ProfileQuestion, ...]:
    """The event's profile questions from their lines (`question: option / option / …`,
    the deck's `profile:` syntax and limits; blank lines left out); InvalidEvent with the
    reason otherwise."""
    try:
        return read_questions(values)
    except ProfileSyntaxError as error:
        raise InvalidEvent(Capitalised(error.sentence)) from None


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidEvent(N_("A session of an event is the plenary or a working session."))
    return role


# logos ---------------------------------------------------------------------------------


def sniff_logo(data: bytes) -> str:
    """The logo's content type, read from its first bytes (never from its name or the
    browser's claim); InvalidEvent for anything but PNG, JPEG or WebP up to 1 MB.

    SVG is refused on purpose: it can carry script, and it is served from our origin.
    """
    if not data:
        raise InvalidEvent(N_("The logo file is empty."))
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidEvent(N_("The logo is larger than 1 MB; save it smaller (PNG, JPEG or WebP)."))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")):
        raise InvalidEvent(
            N_("SVG logos are not accepted (they can hold scripts): use PNG or WebP.")
        )
    raise InvalidEvent(N_("The logo must be a PNG, JPEG or WebP image."))


# colours that stay readable --------------------------------------------------------------


def _channels(colour: str) -> tuple[int, int, int]:
    value = parse_colour(colour)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2), 0 for black to 1 for white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _channels(colour)
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def darkened(colour: str, minimum: float, background: str = WHITE) -> str:
    """`colour`, darkened just enough (same hue) to reach `minimum` contrast on
    `background`: a pale brand colour still gives readable links and visible bars."""
    r, g, b = _channels(colour)
    for step in range(101):
        keep = 1 - step / 100
        candidate = f"#{round(r * keep):02x}{round(g * keep):02x}{round(b * keep):02x}"
        if contrast(candidate, background) >= minimum:
            return candidate
    return "#000000"


def ink_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (text on a filled button)."""
    return "#ffffff" if contrast(colour, "#ffffff") >= contrast(colour, "#111111") else "#111111"


@dataclass(frozen=True)
class Brand:
    """An event's colours as the pages' CSS custom properties, contrast kept readable."""

    primary: str = DEFAULT_PRIMARY
    secondary: str = DEFAULT_SECONDARY

    def variables(self) -> dict[str, str]:
        accent = darkened(self.primary, TEXT_CONTRAST, PAGE)
        bar = darkened(self.secondary, GRAPHIC_CONTRAST, PAGE)
        return {
            "--accent": accent,
            "--accent-ink": ink_on(accent),
            "--bar": bar,
            "--brand-primary": self.primary,
            "--brand-primary-ink": ink_on(self.primary),
            "--brand-secondary": self.secondary,
            "--brand-secondary-ink": ink_on(self.secondary),
        }

    def css(self) -> str:
        """A style sheet setting the variables (served from a URL: the CSP forbids inline
        styles)."""
        lines = [f"  {name}: {value};" for name, value in self.variables().items()]
        return ":root {\n" + "\n".join(lines) + "\n}\n"


# the same statement in several rooms ------------------------------------------------------


def link_key(label: str) -> str:
    """An explicit link's key: slides given the same link label belong together."""
    return "link:" + normalised(label)


@dataclass(frozen=True)
class RoomSlide:
    """One slide of one session of the event, as matching sees it."""

    session_id: int
    slide: Slide
    link: str = ""


@dataclass(frozen=True)
class SharedQuestion:
    """A statement or choice question asked in two or more sessions of the event."""

    key: str
    kind: str
    text: str
    members: tuple[RoomSlide, ...]
    linked: bool


def shared_questions(slides: Iterable[RoomSlide]) -> list[SharedQuestion]:
    """The questions asked in more than one session: same text, or linked by hand.

    A link label wins over the text; linked slides of different kinds are not added up
    (the first kind met stays, the others are left out). Each session counts once per
    question (its first matching slide). Ordered by first appearance.
    """
    groups: dict[str, list[RoomSlide]] = {}
    linked: set[str] = set()
    for member in slides:
        if not kind_of(member.slide.kind).shared:
            continue
        if member.link:
            key = link_key(member.link)
            linked.add(key)
        else:
            found = slide_key(member.slide)
            if found is None:
                continue
            key = found
        group = groups.setdefault(key, [])
        if group and group[0].slide.kind != member.slide.kind:
            continue
        if any(existing.session_id == member.session_id for existing in group):
            continue
        group.append(member)
    shared = []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        first = members[0].slide
        text = first.statement or first.title
        shared.append(SharedQuestion(key, first.kind, text, tuple(members), key in linked))
    return shared


@dataclass(frozen=True)
class Row:
    """One answer (a stance, or an option by its label) with its count and share."""

    key: str
    label: str
    count: int
    percentage: int


@dataclass(frozen=True)
class Column:
    """One room's (or the overall) figures for a shared question."""

    respondents: int
    rows: tuple[Row, ...]


def answer_rows(question: SharedQuestion) -> list[tuple[str, str]]:
    """The answers compared, as (key, label): stances, or the options by normalised label
    (two rooms' option ids may differ, their words are what is the same)."""
    if kind_of(question.kind).rows == "stances":
        return [(stance, stance) for stance in STANCES]
    seen: dict[str, str] = {}
    for member in question.members:
        for option in member.slide.options:
            seen.setdefault(normalised(option.label), option.label)
    return list(seen.items())


def room_column(question: SharedQuestion, member: RoomSlide, tally: Tally) -> Column:
    """One room's counts on the question's rows."""
    counts = _room_counts(question, member, tally)
    rows = tuple(
        Row(key, label, counts.get(key, 0), percent(counts.get(key, 0), tally.respondents))
        for key, label in answer_rows(question)
    )
    return Column(tally.respondents, rows)


def overall_column(question: SharedQuestion, tallies: Mapping[int, Tally]) -> Column:
    """All rooms together: counts and respondents added up (each participant is in one
    session, so nobody is counted twice)."""
    totals: dict[str, int] = {}
    respondents = 0
    for member in question.members:
        tally = tallies.get(member.session_id)
        if tally is None:
            continue
        respondents += tally.respondents
        for key, count in _room_counts(question, member, tally).items():
            totals[key] = totals.get(key, 0) + count
    rows = tuple(
        Row(key, label, totals.get(key, 0), percent(totals.get(key, 0), respondents))
        for key, label in answer_rows(question)
    )
    return Column(respondents, rows)


def _room_counts(question: SharedQuestion, member: RoomSlide, tally: Tally) -> dict[str, int]:
    if kind_of(question.kind).rows == "stances":
        return {stance: int(tally.counts.get(stance, 0)) for stance in STANCES}
    counts: dict[str, int] = {}
    for option in member.slide.options:
        key = normalised(option.label)
        counts[key] = counts.get(key, 0) + int(tally.counts.get(option.id, 0))
    return counts
