"""Pages at audience pace, and the countdown's data for every page that shows one.

At audience pace (`pace: audience`, a survey) a phone does not follow the presenter: it
shows the slide the participant chose (`?slide=ID`, so back/next are plain links that
work without JavaScript), with a progress line; the projector shows how far the room is.
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import Request

from denkdag.app.denkdag import Denkdag
from denkdag.domain import timer
from denkdag.domain.kinds import kind_of
from denkdag.domain.model import AUDIENCE_PACE, Countdown, Session, Slide


def at_audience_pace(session: Session) -> bool:
    return session.deck.info.pace == AUDIENCE_PACE


def _questions(session: Session) -> list[Slide]:
    return [s for s in session.deck.slides if kind_of(s.kind).asks]


def chosen_slide(session: Session, answers: dict[str, Any], wanted: str | None) -> Slide | None:
    """The slide a phone shows at audience pace: the one asked for; else, for a
    participant who has answered before, the first question still open to them (or the
    last slide once all are answered); else the first slide."""
    slides = session.deck.slides
    if not slides:
        return None
    if wanted:
        found = session.deck.slide(wanted)
        if found is not None:
            return found
    if not answers:
        return slides[0]
    return next((s for s in _questions(session) if s.id not in answers), slides[-1])


async def phone_context(
    svc: Denkdag, session: Session, answers: dict[str, Any], wanted: str | None
) -> dict[str, Any]:
    """What the phone's templates need for the participant's own slide, with its
    neighbours and how far they are."""
    slide = chosen_slide(session, answers, wanted)
    if slide is None:
        return {"pace": None}
    slides = session.deck.slides
    index = slides.index(slide)
    asks = kind_of(slide.kind).asks
    questions = _questions(session)
    return {
        "slide": slide,
        "tally": await svc.results.tally(session, slide) if asks else None,
        "is_open": asks and slide.id in session.state.open_slides,
        "revealed": slide.id in session.state.revealed,
        "position": index + 1,
        "opinion": (
            await svc.opinions.view(session, facilitator=True)
            if kind_of(slide.kind).shows_opinions
            else None
        ),
        "pace": {
            "previous": slides[index - 1].id if index > 0 else None,
            "next": slides[index + 1].id if index + 1 < len(slides) else None,
            "questions": len(questions),
            "answered": sum(1 for s in questions if s.id in answers),
            "closed": not (session.state.open_slides & {s.id for s in questions}),
        },
    }


def answered_url(session: Session, slide_id: str) -> str:
    """Where a phone goes after a plain-form answer: at audience pace, back to that slide."""
    if at_audience_pace(session) and session.deck.slide(slide_id) is not None:
        return f"/j/{session.code}?slide={slide_id}#answered"
    return f"/j/{session.code}#answered"


def clock_text(seconds: object) -> str:
    """Seconds as the countdown shows them: `1:30`, `0:05`, `1:00:00`."""
    total = max(0, int(seconds)) if isinstance(seconds, int | float) else 0
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def countdown_phase(countdown: object) -> str:
    """none, running, paused or ended: which timer buttons the remote offers."""
    if not isinstance(countdown, Countdown):
        return "none"
    if countdown.ends_at is None:
        return "paused" if countdown.remaining > 0 else "ended"
    return "running" if countdown.ends_at > time.time() else "ended"


def countdown_data(request: Request, session: Session) -> str:
    """The session's countdowns and the server's clock, as JSON for a data attribute
    (the page's starting point; the `state` events carry the same)."""
    clock = request.app.state.service.clock
    return json.dumps(
        {
            "timers": [timer.as_dict(countdown) for countdown in session.state.timers],
            "server_time": clock(),
        },
        separators=(",", ":"),
    )
