"""The vocabulary of Denkdag as frozen values: sessions, slides, options, answers.

Nothing here knows about storage or the web; the same objects come out of a deck file,
the database and the in-memory store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

from denkdag.domain.errors import N_, UnknownSlide
from denkdag.domain.profiles import ProfileQuestion

LANGUAGES = ("nl", "en", "fr")
"""The languages the interface speaks; a session's own text is shown as written."""

PRESENTER_PACE = "presenter"
AUDIENCE_PACE = "audience"
PACES = (PRESENTER_PACE, AUDIENCE_PACE)
"""Who moves through the slides: the presenter (everyone follows), or each participant at
their own pace (a survey; every question is open until the facilitator closes it)."""


PHONE_RESULTS_WITH_PROJECTOR = "with-projector"
PHONE_RESULTS_NEVER = "never"
PHONE_RESULTS_AFTER_ANSWER = "after-answer"
PHONE_RESULTS = (PHONE_RESULTS_WITH_PROJECTOR, PHONE_RESULTS_NEVER, PHONE_RESULTS_AFTER_ANSWER)
"""Where shown results reach the room's phones (`phone_results`): with the projector, never
(the projector only), or on a phone once its participant has answered (no herding).
The rule itself: domain/visibility.py."""

YES_NO = ("yes", "no")


class ResultsMode(StrEnum):
    """Whether results appear as soon as a slide is shown, or only when revealed."""

    LIVE = "live"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Option:
    """One answer of a choice question: a short label and an optional explanation."""

    id: str
    label: str
    description: str = ""


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Slide:
    """One slide of a session.

    `kind` names the slide kind in the registry (`denkdag.domain.kinds`), which decides
    which answers the slide accepts and how they are tallied. `body` is the slide's text
    exactly as written in the deck (a small Markdown subset: paragraphs, bullets, bold,
    italic). `extra` holds settings that only one kind understands, so that adding a kind
    needs no change here.
    """

    id: str
    kind: str
    title: str
    section: str = ""
    body: str = ""
    options: tuple[Option, ...] = ()
    multiple: bool = False
    statement: str = ""
    extra: Mapping[str, Any] = field(default_factory=_frozen)
    notes: str = ""
    """The speaker's notes (the deck's `notes:` block): shown to facilitators only (the
    remote and the notes window), never in a participant's or the projector's view."""

    def option(self, option_id: str) -> Option | None:
        """The option with this id, if the slide has it."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class SessionInfo:
    """What a session says about itself, from the deck's front matter."""

    title: str
    event: str = ""
    date: str = ""
    venue: str = ""
    presenter: str = ""
    role: str = ""
    language: str = "nl"
    results: ResultsMode = ResultsMode.LIVE
    questions: str = ""
    """Q&A moderation: approve-first (when empty), show-at-once or off (domain/questions)."""
    profile: tuple[ProfileQuestion, ...] = ()
    """Profile questions asked once at join (`profile:` lines; domain/profiles.py)."""
    pace: str = PRESENTER_PACE
    """presenter or audience (PACES): whether phones follow the presenter or go alone."""
    phone_results: str = PHONE_RESULTS_WITH_PROJECTOR
    """Where shown results reach phones (PHONE_RESULTS; domain/visibility.py)."""
    next_closes: str = "no"
    """yes: moving on (next, previous, goto) closes the question left behind."""
    capacity: int = 0
    """The most participants that may join (0: no cap); a facilitator sets it where a room's
    size is known, so no one address can mint voices beyond it."""


@dataclass(frozen=True)
class Deck:
    """A session as written: its front matter and its slides, before it is run."""

    info: SessionInfo
    slides: tuple[Slide, ...]

    def slide(self, slide_id: str) -> Slide | None:
        """The slide with this id, if the deck has it (every vote asks)."""
        return self._by_id.get(slide_id)

    def require_slide(self, slide_id: str) -> Slide:
        """The slide with this id, or UnknownSlide (404): the one refusal, with one
        sentence, wherever a request names a slide the deck does not have."""
        slide = self._by_id.get(slide_id)
        if slide is None:
            raise UnknownSlide(N_("This session has no slide '%(slide_id)s'."), slide_id=slide_id)
        return slide

    @cached_property
    def _by_id(self) -> Mapping[str, Slide]:
        by_id: dict[str, Slide] = {}
        for slide in self.slides:
            by_id.setdefault(slide.id, slide)  # the first, should a deck repeat an id
        return by_id


@dataclass(frozen=True)
class Countdown:
    """A slide's timer, as the facilitator left it (see `denkdag.domain.timer`).

    Times are absolute (seconds since the epoch, server clock), so every instance and
    every screen agrees on when it ends. Running: `ends_at` is set. Paused: `ends_at` is
    None and `remaining` holds the seconds left. `closes`: voting on the slide ends with
    the timer; `fired` once the server has closed it.
    """

    slide: str
    ends_at: float | None
    remaining: float
    duration: float
    closes: bool = False
    fired: bool = False

    @property
    def running(self) -> bool:
        return self.ends_at is not None


@dataclass(frozen=True)
class LiveState:
    """Where a running session is: the current slide and which slides are open/revealed.

    `visited` remembers the slides that have been shown, so that a slide opens by itself
    the first time it appears but keeps a facilitator's "close" when they come back to it.
    """

    current_slide: str | None = None
    open_slides: frozenset[str] = frozenset()
    revealed: frozenset[str] = frozenset()
    visited: frozenset[str] = frozenset()
    version: int = 0
    timers: tuple[Countdown, ...] = ()
    """The slides' countdowns, at most one per slide, in slide-id order."""


@dataclass(frozen=True)
class Session:
    """A session that can be joined: its deck, join code and live state."""

    id: int
    code: str
    deck: Deck
    state: LiveState
    owner_id: int | None = None

    @property
    def title(self) -> str:
        return self.deck.info.title


@dataclass(frozen=True)
class User:
    """An account: an administrator, an organiser or a facilitator."""

    id: int
    username: str
    password_hash: str | None
    role: str = "facilitator"


@dataclass(frozen=True)
class StoredAnswer:
    """One participant's current answer on one slide, for exports."""

    participant_id: int
    slide_id: str
    value: Any
    updated_at: datetime
    hidden: bool = False
    """A facilitator hid it (open answers): exports keep it, marked; screens never show it."""
    highlighted: bool = False
    """A facilitator highlighted it (open answers): the report marks it."""

    def __reduce__(self) -> tuple[type[StoredAnswer], tuple[Any, ...]]:
        """Pickled as its fields (exports hand a session's answers to a worker process):
        half the bytes of a dataclass's state dictionary, and a Python step per answer, so
        the server's event loop gets its turn while 16,000 of them are pickled, instead of
        waiting for one long C call to end."""
        return (
            StoredAnswer,
            (
                self.participant_id,
                self.slide_id,
                self.value,
                self.updated_at,
                self.hidden,
                self.highlighted,
            ),
        )
