"""Slide timers: the deck settings, the facilitator's controls and the deadline rule.

A countdown is part of the live state, stored and versioned with it, and its end is an
absolute time on the server's clock. That is what lets every instance refuse a late vote
by itself (`has_ended`), without waiting for the background task that closes the slide
and tells the screens (`expire`). Every function takes `now` from its caller, so the rules
are tested with an injected clock and no sleeping.

Deck syntax (any slide, under its heading):

    timer: 90s                    1 s to 3 h: `90`, `90s`, `2m`, `1m30s` or `1:30`
    timer_closes: yes             (questions) voting closes when the timer ends
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from denkdag.domain.errors import N_, InvalidControl
from denkdag.domain.kinds import DeckSyntaxError, SlideSource, kind_of
from denkdag.domain.kinds.base import parse_flag
from denkdag.domain.model import Countdown, Deck, LiveState, Slide

SETTINGS = frozenset({"timer", "timer_closes"})
"""The timer's slide settings, understood on a slide of any kind."""
MIN_SECONDS = 1
MAX_SECONDS = 3 * 3600
ADD_SECONDS = 30
"""What the facilitator's "+30 s" adds, and the length of a timer started on a slide
that has none."""

START = "timer-start"
PAUSE = "timer-pause"
ADD = "timer-add"
STOP = "timer-stop"
ACTIONS = (START, PAUSE, ADD, STOP)

_DURATION = re.compile(  # at most 6 digits: a huge number is refused, not converted
    r"^(?:(?P<seconds>\d{1,6})\s*s?|(?P<minutes>\d{1,6})\s*m(?:\s*(?P<rest>\d{1,6})\s*s)?"
    r"|(?P<clock_m>\d{1,6}):(?P<clock_s>[0-5]\d))$",
    re.ASCII,
)


# deck settings ----------------------------------------------------------------------


def parse_duration(text: str) -> int | None:
    """Seconds from `90`, `90s`, `2m`, `1m30s` or `1:30`; None when it is none of these."""
    match = _DURATION.match(text.strip().lower())
    if match is None:
        return None
    if match["seconds"] is not None:
        return int(match["seconds"])
    if match["minutes"] is not None:
        return int(match["minutes"]) * 60 + int(match["rest"] or 0)
    return int(match["clock_m"]) * 60 + int(match["clock_s"])


def format_duration(seconds: int) -> str:
    """The deck form of a duration: whole minutes as `2m`, anything else as `90s`."""
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def read_settings(source: SlideSource, asks: bool) -> dict[str, Any]:
    """The slide's timer settings for `Slide.extra`; DeckSyntaxError on their line."""
    extra: dict[str, Any] = {}
    raw = source.settings.get("timer")
    if raw is not None:
        seconds = parse_duration(raw)
        if seconds is None or not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise DeckSyntaxError(
                source.setting_lines["timer"].number,
                N_(
                    "'timer' must be a duration from %(least)s second to 3 hours, such as 90s, 2m "
                    "or 1m30s, not '%(value)s'"
                ),
                least=MIN_SECONDS,
                value=raw.strip(),
            )
        extra["timer"] = seconds
    if parse_flag(source, "timer_closes"):
        if not asks:
            raise DeckSyntaxError(
                source.setting_lines["timer_closes"].number,
                N_("'timer_closes' is for questions: this slide has no voting to close"),
            )
        extra["timer_closes"] = True
    return extra


def write_settings(slide: Slide) -> dict[str, str]:
    """The settings lines that `read_settings` turns back into the slide's timer."""
    settings: dict[str, str] = {}
    seconds = slide.extra.get("timer")
    if isinstance(seconds, int):
        settings["timer"] = format_duration(seconds)
    if slide.extra.get("timer_closes"):
        settings["timer_closes"] = "yes"
    return settings


# the live rules ---------------------------------------------------------------------


def timer_of(state: LiveState, slide_id: str) -> Countdown | None:
    """The slide's countdown, if it has one."""
    return next((c for c in state.timers if c.slide == slide_id), None)


def has_ended(state: LiveState, slide_id: str, now: float) -> bool:
    """Whether the slide's voting has ended by its timer, before the server has closed the
    slide: a vote now is refused. Once it has (`fired`), the slide is closed like any
    other, and a facilitator who opens it again is not overruled by the old deadline."""
    countdown = timer_of(state, slide_id)
    return bool(
        countdown is not None
        and countdown.closes
        and not countdown.fired
        and countdown.ends_at is not None
        and countdown.ends_at <= now
    )


def vote_deadline(state: LiveState, slide_id: str) -> float | None:
    """When voting on the slide ends by its timer (for the write's own check), or None."""
    countdown = timer_of(state, slide_id)
    if countdown is None or not countdown.closes or countdown.fired:
        return None
    return countdown.ends_at


def next_deadline(state: LiveState) -> float | None:
    """The earliest time at which a timer must close a slide (for the background task)."""
    due = [c.ends_at for c in state.timers if c.closes and not c.fired and c.ends_at is not None]
    return min(due, default=None)


def expire(state: LiveState, now: float) -> LiveState | None:
    """Close every slide whose closing timer has ended; None when nothing is due."""
    due = [
        c
        for c in state.timers
        if c.closes and not c.fired and c.ends_at is not None and c.ends_at <= now
    ]
    if not due:
        return None
    fired = {c.slide for c in due}
    timers = tuple(
        replace(c, fired=True, remaining=0) if c.slide in fired else c for c in state.timers
    )
    return replace(
        state,
        open_slides=state.open_slides - fired,
        timers=timers,
        version=state.version + 1,
    )


def control(
    deck: Deck,
    state: LiveState,
    action: str,
    slide_id: str,
    now: float,
    seconds: int | None = None,
) -> LiveState:
    """The state after a timer control on `slide_id`: start (or resume), pause, add time
    (30 s unless `seconds` says otherwise) or stop."""
    slide = deck.require_slide(slide_id)
    asks = kind_of(slide.kind).asks
    countdown = timer_of(state, slide_id)
    ended = countdown is not None and countdown.ends_at is not None and countdown.ends_at <= now
    if action == START:
        if countdown is not None and not countdown.running and countdown.remaining > 0:
            return _put(state, replace(countdown, ends_at=now + countdown.remaining))
        length = seconds or slide.extra.get("timer")
        if not isinstance(length, int):
            raise InvalidControl(
                N_(
                    "This slide has no timer: add one with '+30 s', or write 'timer: 2m' under "
                    "the slide's heading."
                )
            )
        return _fresh(state, slide, asks, now, length)
    if action == ADD:
        extra = seconds or ADD_SECONDS
        if countdown is None or ended or countdown.fired:
            return _fresh(state, slide, asks, now, extra)
        if countdown.ends_at is not None:
            longer = replace(countdown, ends_at=countdown.ends_at + extra)
        else:
            longer = replace(countdown, remaining=countdown.remaining + extra)
        return _put(state, replace(longer, duration=countdown.duration + extra))
    if countdown is None:
        raise InvalidControl(N_("This slide's timer is not running."))
    if action == PAUSE:
        if countdown.ends_at is None or ended:
            return _put(state, countdown)
        return _put(state, replace(countdown, ends_at=None, remaining=countdown.ends_at - now))
    if action == STOP:
        return _put(state, None, slide_id)
    raise InvalidControl(
        N_("Unknown timer action '%(action)s'; use one of %(actions)s."),
        action=action,
        actions=", ".join(ACTIONS),
    )


def _fresh(state: LiveState, slide: Slide, asks: bool, now: float, length: int) -> LiveState:
    """A new running countdown; one that closes voting opens it first (start = "vote
    now, for this long")."""
    closes = asks and bool(slide.extra.get("timer_closes"))
    started = _put(state, Countdown(slide.id, now + length, length, length, closes=closes))
    if closes:
        started = replace(started, open_slides=started.open_slides | {slide.id})
    return started


def _put(state: LiveState, countdown: Countdown | None, slide_id: str = "") -> LiveState:
    """The state with the slide's countdown replaced (or removed), one version on."""
    slide = countdown.slide if countdown is not None else slide_id
    others = [c for c in state.timers if c.slide != slide]
    timers = sorted([*others, *([countdown] if countdown else [])], key=lambda c: c.slide)
    return replace(state, timers=tuple(timers), version=state.version + 1)


def keep_slides(state: LiveState, slide_ids: Iterable[str]) -> tuple[Countdown, ...]:
    """The countdowns of the slides that still exist (after an edit of the deck)."""
    kept = set(slide_ids)
    return tuple(c for c in state.timers if c.slide in kept)


# as data ----------------------------------------------------------------------------


def as_dict(countdown: Countdown) -> dict[str, Any]:
    """A countdown as JSON (stored state, the API and the `state` event)."""
    return {
        "slide": countdown.slide,
        "running": countdown.running,
        "ends_at": countdown.ends_at,
        "remaining": countdown.remaining,
        "duration": countdown.duration,
        "closes": countdown.closes,
        "fired": countdown.fired,
    }


def from_dicts(items: Iterable[Mapping[str, Any]]) -> tuple[Countdown, ...]:
    """Countdowns from `as_dict` output; anything malformed is left out."""
    found = []
    for item in items:
        try:
            ends_at = item.get("ends_at")
            found.append(
                Countdown(
                    slide=str(item["slide"]),
                    ends_at=None if ends_at is None else float(ends_at),
                    remaining=float(item.get("remaining", 0)),
                    duration=float(item.get("duration", 0)),
                    closes=bool(item.get("closes", False)),
                    fired=bool(item.get("fired", False)),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return tuple(sorted(found, key=lambda c: c.slide))
