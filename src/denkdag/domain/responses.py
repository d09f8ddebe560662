"""Whether an answer is accepted: the slide exists, is open, and the kind takes the value.

The rule "one answer per participant per slide, a new answer replaces the old one" is
kept by storage (a unique key); this module decides what may be stored.
"""

from __future__ import annotations

import time
from typing import Any

from denkdag.domain import timer
from denkdag.domain.errors import N_, SlideNotOpen
from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Deck, LiveState


def accept_answer(
    deck: Deck, state: LiveState, slide_id: str, value: object, now: float | None = None
) -> Any:
    """The normalised answer to store, or a DomainError saying why it is refused.

    A slide whose closing timer has ended is closed from that moment (`now`, the server's
    clock), even before the background task has stored and announced it.
    """
    slide = deck.require_slide(slide_id)
    kind = kind_of(slide.kind)
    if not kind.asks:
        raise SlideNotOpen(N_("This slide is information only; there is nothing to answer."))
    if slide_id not in state.open_slides or (
        state.timers and timer.has_ended(state, slide_id, time.time() if now is None else now)
    ):
        raise SlideNotOpen(N_("Voting on this slide is closed."))
    return kind.validate(slide, value)
