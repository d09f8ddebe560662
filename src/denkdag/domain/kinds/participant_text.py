"""Text typed by participants: checked, length-limited plain text, and matched by folding.

Participant text is never markup: it is stored as typed (trimmed, line ends unified) and
every page escapes it. What is refused here is what no screen or database should hold:
control characters and lone surrogates (the one rule of `domain.characters`, which titles
and names follow too), text over the slide's limit, and the facilitator's banned words.
Matching (banned words, stop words, word-cloud counts) uses `fold`, so that "Café",
"cafe" and "CAFÉ" are one word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from denkdag.domain.characters import TEXT_CONTROLS, bad_character
from denkdag.domain.errors import N_, InvalidAnswer, Message
from denkdag.domain.kinds.base import DeckSyntaxError, Setting, SlideSource

MAX_BANNED = 200
BANNED_SETTING = Setting("banned", N_("Words hidden from the room (separated by commas)"))
"""The `banned` setting as the editor's form shows it (kinds taking participants' text)."""
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """`text` for matching: accents removed, case folded, compatibility forms unified."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.casefold())


def tokens(text: str) -> list[str]:
    """The folded words of `text` (letters and digits), for whole-word matching."""
    return _WORD.findall(fold(text))


def clean_text(value: object, *, max_length: int, what: str, lines: bool = True) -> str:
    """The text as stored: trimmed, line ends as \\n; InvalidAnswer says what is wrong.

    `what` names the thing in the sentence (`N_("Your answer")`, `N_("A word")`): it is
    translated with the sentence.
    """
    subject = Message(what)
    if not isinstance(value, str):
        raise InvalidAnswer(N_("%(what)s must be text (a JSON string)."), what=subject)
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InvalidAnswer(N_("%(what)s is empty; type something first."), what=subject)
    bad = bad_character(text, TEXT_CONTROLS)
    if bad is not None:
        raise InvalidAnswer(
            N_("%(what)s holds %(bad)s; remove it and send again."), what=subject, bad=bad
        )
    if not lines and ("\n" in text or "\t" in text):
        raise InvalidAnswer(N_("%(what)s must fit on one line."), what=subject)
    if len(text) > max_length:
        raise InvalidAnswer(
            N_("%(what)s is %(length)s characters long; at most %(max_length)s are allowed."),
            what=subject,
            length=len(text),
            max_length=max_length,
        )
    return text


def read_banned(source: SlideSource) -> tuple[str, ...]:
    """The `banned: word, other phrase` setting as folded phrases (none when absent)."""
    raw = source.settings.get("banned")
    if raw is None:
        return ()
    phrases = []
    for part in raw.split(","):
        words = tokens(part)
        if words:
            phrases.append(" ".join(words))
    if not phrases:
        line = source.setting_lines["banned"]
        raise DeckSyntaxError(line.number, N_("'banned' lists words separated by commas"))
    if len(phrases) > MAX_BANNED:
        line = source.setting_lines["banned"]
        raise DeckSyntaxError(
            line.number, N_("'banned' lists at most %(most)s words"), most=MAX_BANNED
        )
    return tuple(dict.fromkeys(phrases))


def write_banned(banned: Iterable[str]) -> dict[str, str]:
    """The `banned` setting that `read_banned` turns back into `banned`."""
    listed = list(banned)
    return {"banned": ", ".join(listed)} if listed else {}


def refuse_banned(text: str, banned: Iterable[str]) -> None:
    """InvalidAnswer when `text` holds a banned word or phrase (whole words, folded)."""
    phrases = list(banned)
    if not phrases:
        return
    padded = f" {' '.join(tokens(text))} "
    for phrase in phrases:
        if f" {phrase} " in padded:
            raise InvalidAnswer(
                N_(
                    "Your answer holds a word the facilitator does not allow here; please "
                    "rephrase it."
                )
            )
