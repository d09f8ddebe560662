"""Which characters text a person types may hold: the one rule, for every such text.

Participants' answers, questions and statements (`kinds/participant_text`), session and
event titles, rooms, venues and link names (`events`), profile questions (`profiles`),
the lines of a deck file and the new session's title (`formats`) all refuse the same
characters: control characters (C0 but those the text allows, usually tab and newline;
DEL; C1) and lone surrogates. None of them shows on a screen, some move a terminal's
cursor or end a C string, and a lone surrogate cannot be stored as UTF-8. Each caller
says what it allows and raises its own refusal, naming the character with `bad_character`.
"""

from __future__ import annotations

import unicodedata

from denkdag.domain.errors import N_, Message

TEXT_CONTROLS = frozenset("\n\t")
"""The control characters text of several lines may hold (an answer, a slide body)."""
LINE_CONTROLS = frozenset("\t")
"""… and one line of a file (its line ends are read before)."""
COLLAPSED_CONTROLS = frozenset("\t\n\r")
"""… and a one-line field whose whitespace is collapsed to single spaces (a title): a
pasted tab or line end becomes a space, any other control character is refused."""


def bad_character(text: str, allowed: frozenset[str] = TEXT_CONTROLS) -> Message | None:
    """What is wrong with `text` (`a control character (U+001B)`), or None when nothing.

    Unicode's category Cc is exactly C0, DEL and C1; `allowed` lets some of them pass."""
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return Message(N_("an invalid character (a lone surrogate)"))
        if ch not in allowed and unicodedata.category(ch) == "Cc":
            return Message(N_("a control character (U+%(code)s)"), code=f"{code:04X}")
    return None
