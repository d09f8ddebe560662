"""When two slides ask "the same question": one rule for comparing runs and rooms.

A session's report can be compared with an earlier run of the same deck
(`formats.compare`), and an event adds up a question asked in several rooms
(`domain.events.shared_questions`). Both line slides up by their words, not their ids,
so an edited or copied deck still matches; both must agree on what counts as the same
question, or the same deck would line up one way in one view and another way in the other.

The rule: a statement slide is its statement (its title when the statement is empty); a
choice question is its title, its prompt, whether one or several options may be chosen,
and its set of option labels. Changing the options or single/multiple changes every share,
so such slides are not the same question (a room's slide can still be linked by hand).
"""

from __future__ import annotations

import unicodedata

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
    """What makes two slides "the same question"; None for slides that ask nothing that
    can be compared or added up (only statements and choice questions can)."""
    if slide.kind == "statement":
        return "statement:" + normalised(slide.statement or slide.title)
    if slide.kind == "choice":
        labels = "|".join(sorted(normalised(option.label) for option in slide.options))
        mode = "multi" if slide.multiple else "one"
        return f"choice:{mode}:{normalised(slide.title)}:{normalised(slide.body)}:{labels}"
    return None
