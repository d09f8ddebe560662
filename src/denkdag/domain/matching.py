"""When two slides ask "the same question": one rule for comparing runs and rooms.

A session's report can be compared with an earlier run of the same deck
(`formats.compare`), and an event adds up a question asked in several rooms
(`domain.events.shared_questions`). Both line slides up by their words, not their ids,
so an edited or copied deck still matches; both must agree on what counts as the same
question, or the same deck would line up one way in one view and another way in the other.

The rule is each kind's `question_key`: a statement slide is its statement (its title when
the statement is empty); a choice question is its title, its prompt, whether one or
several options may be chosen, and its set of option labels. Changing the options or
single/multiple changes every share, so such slides are not the same question (a room's
slide can still be linked by hand).
"""

from __future__ import annotations

import unicodedata

from denkdag.domain.kinds import kind_of
from denkdag.domain.model import Slide

QUOTES = "\"'“”„‟«»‘’‚‹›`´"
"""Quotation marks people put around a statement, in the languages the rooms use."""
_WRAPPING = QUOTES + " .!?…:;"


def normalised(text: str) -> str:
    """Text as compared: Unicode-normalised (NFKC), case-folded, whitespace collapsed,
    quotes and closing punctuation around it ignored.

    The quotes are stripped before NFKC as well as after: NFKC turns a spacing accent used
    as a quote (´) into a space and a combining accent, which no longer strips."""
    bare = " ".join(text.split()).strip(_WRAPPING)
    folded = unicodedata.normalize("NFKC", bare).casefold()
    return " ".join(folded.split()).strip(_WRAPPING)


def slide_key(slide: Slide) -> str | None:
    """What makes two slides "the same question" (the kind's `question_key`, given this
    module's normalisation); None for kinds whose questions are not compared or added up."""
    kind = kind_of(slide.kind)
    return kind.question_key(slide, normalised) if kind.shared else None
