"""The slide state machine: what a facilitator's action does to a running session.

Pure functions from (deck, state, action) to a new state; the service stores the result
and tells every screen.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from denkdag.domain import timer
from denkdag.domain.errors import N_, InvalidControl
from denkdag.domain.kinds import kind_of
from denkdag.domain.model import AUDIENCE_PACE, Deck, LiveState, ResultsMode


class Action(StrEnum):
    """The facilitator's controls (goto/open/close/reveal/hide …, as docs/api.md lists them)."""

    GOTO = "goto"
    NEXT = "next"
    PREVIOUS = "previous"
    OPEN = "open"
    CLOSE = "close"
    REVEAL = "reveal"
    HIDE = "hide"
    OPEN_ALL = "open-all"
    CLOSE_ALL = "close-all"
    TIMER_START = timer.START
    TIMER_PAUSE = timer.PAUSE
    TIMER_ADD = timer.ADD
    TIMER_STOP = timer.STOP


def start(deck: Deck) -> LiveState:
    """A fresh session shows its first slide (at audience pace, every slide: see `settle_pace`)."""
    if not deck.slides:
        return LiveState()
    return settle_pace(deck, _arrive(deck, LiveState(), deck.slides[0].id))


def settle_pace(deck: Deck, state: LiveState) -> LiveState:
    """At audience pace every slide has appeared (each phone goes its own way), so each
    question not seen before opens, as a slide does the first time it is shown; a slide
    the facilitator closed stays closed. At presenter pace: the state as it is."""
    if deck.info.pace != AUDIENCE_PACE:
        return state
    current = state.current_slide
    for slide in deck.slides:
        if slide.id not in state.visited:
            state = replace(_arrive(deck, state, slide.id), version=state.version)
    return replace(state, current_slide=current)


def _arrive(deck: Deck, state: LiveState, slide_id: str, now: float = 0.0) -> LiveState:
    """Make `slide_id` current; the first visit opens a question and, in live mode, shows
    its results (unless its kind is revealed by hand: a quiz). A kind whose timer starts
    on arrival (a quiz) starts it at `now` when it has not run yet. A later visit keeps
    what the facilitator chose before."""
    slide = deck.require_slide(slide_id)
    kind = kind_of(slide.kind)
    open_slides, revealed = state.open_slides, state.revealed
    first = slide_id not in state.visited
    if first and kind.asks:
        open_slides = open_slides | {slide_id}
    live = deck.info.results is ResultsMode.LIVE
    if first and live and _reveals(slide.kind) and not getattr(kind, "reveal_by_hand", False):
        revealed = revealed | {slide_id}
    arrived = replace(
        state,
        current_slide=slide_id,
        open_slides=open_slides,
        revealed=revealed,
        visited=state.visited | {slide_id},
        version=state.version + 1,
    )
    starts = getattr(kind, "timer_on_arrival", False) and slide.extra.get("timer")
    if starts and now and timer.timer_of(state, slide_id) is None:
        started = timer.control(deck, arrived, timer.START, slide_id, now)
        return replace(started, version=arrived.version)
    return arrived


def _leave(deck: Deck, state: LiveState, target: str) -> LiveState:
    """The state as the current slide is left for `target`: with `next_closes: yes` (at
    presenter pace) the question left behind stops taking answers, so no vote lands on a
    slide the room no longer sees. Staying on the same slide closes nothing."""
    left = state.current_slide
    if deck.info.next_closes != "yes" or deck.info.pace == AUDIENCE_PACE:
        return state
    if left is None or left == target or left not in state.open_slides:
        return state
    return replace(state, open_slides=state.open_slides - {left})


def _reveals(kind_name: str) -> bool:
    """Whether a kind has results to hide and reveal: every question, and kinds that say so
    (`reveals = True`, like the opinion map)."""
    kind = kind_of(kind_name)
    return kind.asks or bool(getattr(kind, "reveals", False))


def _neighbour(deck: Deck, state: LiveState, step: int) -> str:
    ids = [slide.id for slide in deck.slides]
    if not ids:
        raise InvalidControl(N_("This session has no slides."))
    index = ids.index(state.current_slide) if state.current_slide in ids else -step
    return ids[max(0, min(len(ids) - 1, index + step))]


def apply(
    deck: Deck,
    state: LiveState,
    action: str,
    slide_id: str | None = None,
    *,
    now: float = 0.0,
    seconds: int | None = None,
) -> LiveState:
    """The state after the facilitator's `action` (on the current slide unless goto).

    Timer actions (domain/timer.py) need the server's clock, `now`, and take `seconds`.
    """
    try:
        chosen = Action(action)
    except ValueError:
        names = ", ".join(a.value for a in Action)
        raise InvalidControl(
            N_("Unknown action '%(action)s'; use one of %(names)s."), action=action, names=names
        ) from None
    if chosen is Action.GOTO:
        if not slide_id:
            raise InvalidControl(N_("'goto' needs the id of the slide to show."))
        return _arrive(deck, _leave(deck, state, slide_id), slide_id, now)
    if chosen in (Action.NEXT, Action.PREVIOUS):
        target = _neighbour(deck, state, 1 if chosen is Action.NEXT else -1)
        return _arrive(deck, _leave(deck, state, target), target, now)
    if chosen in (Action.OPEN_ALL, Action.CLOSE_ALL):
        asking = {s.id for s in deck.slides if kind_of(s.kind).asks}
        opened = asking if chosen is Action.OPEN_ALL else frozenset()
        return replace(state, open_slides=frozenset(opened), version=state.version + 1)
    if chosen.value in timer.ACTIONS:
        target_id = slide_id or state.current_slide
        if target_id is None:
            raise InvalidControl(N_("No slide is shown yet; go to a slide first."))
        return timer.control(deck, state, chosen.value, target_id, now, seconds)
    current = state.current_slide
    if current is None:
        raise InvalidControl(N_("No slide is shown yet; go to a slide first."))
    target = slide_id or current
    slide = deck.require_slide(target)
    revealing = chosen in (Action.REVEAL, Action.HIDE)
    if not (_reveals(slide.kind) if revealing else kind_of(slide.kind).asks):
        raise InvalidControl(N_("This slide is information only; there is no voting to change."))
    if chosen is Action.OPEN:
        return replace(state, open_slides=state.open_slides | {target}, version=state.version + 1)
    if chosen is Action.CLOSE:
        return replace(state, open_slides=state.open_slides - {target}, version=state.version + 1)
    if chosen is Action.REVEAL:
        return replace(state, revealed=state.revealed | {target}, version=state.version + 1)
    return replace(state, revealed=state.revealed - {target}, version=state.version + 1)
