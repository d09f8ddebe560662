"""A session's slides and results as JSON (`denkdag export CODE --format json`).

Only tallies and pseudonymous answers: no token, no address, no name. The organiser's
data, so moderated items stay in, marked: an open answer's `hidden` and `highlighted`,
and a word cloud's words with `hidden` (`cloud` as the room saw it, `hidden_words` the
ones its facilitator took out, with how many gave them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Session
from denkdag.domain.tally import Tally
from denkdag.domain.views import info_view, result_view


def results_document(session: Session, tallies: Sequence[Tally], joined: int) -> dict[str, Any]:
    """The session, its slides with their tallies, as one JSON-ready object."""
    info = session.deck.info
    slides = []
    for slide, tally in zip(session.deck.slides, tallies, strict=True):
        entry = result_view(slide, tally)
        if kind_of(slide.kind).tally_source == "words":  # the hidden words, marked
            entry["cloud"] = [{**word, "hidden": False} for word in entry.get("cloud", ())]
            entry["hidden_words"] = [
                {**word, "hidden": True} for word in entry.get("hidden_words", ())
            ]
        slides.append(entry)
    return {
        "code": session.code,
        **info_view(info),
        "joined": joined,
        "slides": slides,
    }
