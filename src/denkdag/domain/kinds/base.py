"""What every slide kind provides: deck syntax, answer rules and a tally.

A kind is one module in this package with one object satisfying `Kind`; the registry in
`__init__` finds it by name. Pages render a kind with the template partials named after
it, so adding a kind touches no other module of the domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from denkdag.domain.errors import N_, Message
from denkdag.domain.model import Slide
from denkdag.domain.tally import AnswerRecord, Tally

PRIVATE_EXTRA = frozenset({"banned"})
"""Slide settings kept from participants (the API's slide view leaves them out)."""


class DeckSyntaxError(Exception):
    """A deck line that cannot be read: the line number (1-based) and what is wrong.

    `message` is an `N_()` template with named `params` (or a ready `Message`); `message`
    the attribute is the English sentence, `sentence` the one to translate.
    """

    def __init__(self, line: int, message: str | Message, /, **params: Any) -> None:
        self.sentence = Message(message, **params) if isinstance(message, str) else message
        self.line = line
        self.message = str(self.sentence)
        super().__init__(f"{line}: {self.message}")


@dataclass(frozen=True)
class Line:
    """One line of a deck file with its 1-based number, so errors can point at it."""

    number: int
    text: str


@dataclass(frozen=True)
class SlideSource:
    """A slide as written: heading, settings and body lines, before its kind reads it."""

    heading: Line
    title: str
    settings: Mapping[str, str]
    setting_lines: Mapping[str, Line]
    body: Sequence[Line]


@dataclass(frozen=True)
class SlideContent:
    """What a kind reads from a slide's body; the deck reader adds id, title and section."""

    body: str = ""
    options: tuple[Any, ...] = ()
    multiple: bool = False
    statement: str = ""
    extra: Mapping[str, Any] | None = None


class Kind(Protocol):
    """The contract of a slide kind."""

    name: str
    """The kind's name in decks, the API and templates."""

    asks: bool
    """Whether participants answer this kind (an information slide does not)."""

    settings: frozenset[str]
    """The slide settings (`key: value` under the heading) this kind understands."""

    def read(self, source: SlideSource) -> SlideContent:
        """Read the slide's body; raise DeckSyntaxError naming the line when it is wrong."""
        ...

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        """The settings and body lines that `read` turns back into this slide."""
        ...

    def validate(self, slide: Slide, value: object) -> Any:
        """The answer in its stored, normalised form; raise InvalidAnswer when refused."""
        ...

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        """The slide's result from every participant's latest (validated) answer."""
        ...


@runtime_checkable
class RecordKind(Kind, Protocol):
    """A kind that tallies stored answers with their ids, times and moderation.

    The service gives such a kind `AnswerRecord`s instead of bare values; `moderated`
    says whether a facilitator may hide or highlight its answers one by one.
    """

    moderated: bool

    def tally_records(self, slide: Slide, records: Iterable[AnswerRecord]) -> Tally:
        """The slide's result from every participant's latest answer, as records."""
        ...


def body_text(lines: Iterable[Line]) -> str:
    """Body lines joined as written, without blank lines at the start or end."""
    text = "\n".join(line.text.rstrip() for line in lines)
    return text.strip("\n")


def parse_int(source: SlideSource, name: str, default: int, low: int, high: int) -> int:
    """A whole-number slide setting from `low` to `high`; anything else is an error on its line."""
    raw = source.settings.get(name)
    if raw is None:
        return default
    text = raw.strip()
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdigit() or not low <= int(text) <= high:
        line = source.setting_lines[name]
        raise DeckSyntaxError(
            line.number,
            N_("'%(name)s' must be a whole number from %(low)s to %(high)s, not '%(text)s'"),
            name=name,
            low=low,
            high=high,
            text=text,
        )
    return int(text)


def parse_flag(source: SlideSource, name: str) -> bool:
    """A yes/no slide setting; anything else is an error on its line."""
    raw = source.settings.get(name)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in {"yes", "true", "ja", "oui", "1"}:
        return True
    if value in {"no", "false", "nee", "non", "0"}:
        return False
    line = source.setting_lines[name]
    raise DeckSyntaxError(
        line.number,
        N_("'%(name)s' must be yes or no, not '%(value)s'"),
        name=name,
        value=raw.strip(),
    )
