"""Who sees a slide's results: the one rule for the projector and the room's phones.

The facilitator reveals results (or a deck with `results: live` shows them as a slide
appears); the session's `phone_results` then says where they go. The projector and the
facilitator's screens see every revealed result. Phones see them with the projector
(`with-projector`), never (`never`: the projector only), or once their participant has
answered the slide (`after-answer`: no one votes with the room's result in front of them).

Two questions, because the live stream sends one payload to every phone at once:
`room_sees` is what may go to all phones together (a broadcast), `phone_sees` what one
participant's phone may show, knowing whether that participant answered.
"""

from __future__ import annotations

from denkdag.domain.kinds import kind_of
from denkdag.domain.model import (
    PHONE_RESULTS_AFTER_ANSWER,
    PHONE_RESULTS_WITH_PROJECTOR,
    LiveState,
    SessionInfo,
    Slide,
)


def room_sees(info: SessionInfo, state: LiveState, slide_id: str) -> bool:
    """Whether the slide's results may go to every phone at once (a broadcast, the public
    session view): only when revealed and shown with the projector."""
    return slide_id in state.revealed and info.phone_results == PHONE_RESULTS_WITH_PROJECTOR


def phone_sees(info: SessionInfo, state: LiveState, slide: Slide, *, answered: bool) -> bool:
    """Whether one participant's phone shows the slide's results: revealed, and either
    shown with the projector or (`after-answer`) once this participant answered. A slide
    that asks nothing (the opinion map) has nothing to wait for: after-answer shows it."""
    if slide.id not in state.revealed:
        return False
    if info.phone_results == PHONE_RESULTS_AFTER_ANSWER:
        return answered or not kind_of(slide.kind).asks
    return info.phone_results == PHONE_RESULTS_WITH_PROJECTOR
