"""What every slide kind provides: deck syntax, answer rules, a tally, and the
capabilities the rest of the app dispatches on.

A kind is one module in this package with one object satisfying `Kind`; the registry in
`__init__` finds it by name. Code outside the kind's own module and templates never
compares a kind's name: it asks the kind (`kind_of(slide.kind).rows`, `.tally_source`
…), so a new kind is found everywhere by declaring what it brings. `KindDefaults` holds
the answer of a kind that brings nothing special; a kind inherits it and overrides what
differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from denkdag.domain.errors import N_, Message
from denkdag.domain.model import Slide
from denkdag.domain.tally import AnswerRecord, Tally

PRIVATE_EXTRA = frozenset({"banned", "correct"})
"""Slide settings kept from participants (the API's slide view leaves them out): a
round's banned words, a quiz question's right options."""

STANCES = ("agree", "disagree", "pass")
"""The answers to a statement, in the order results show them."""

Rows = Literal["stances", "options", "items", ""]
"""What a kind's tally shows, one line each: the stances (agree / disagree / pass), the
slide's options, the slide's items with a mean each (`tally.extra["items"]`), or ""
for results of its own (a cloud, a list of texts, a ranking …) that only its partials
draw. Bars, the spreadsheet's answer rows, profile breakdowns and comparisons follow it."""

TallySource = Literal["answers", "records", "round", "words"]
"""What the app counts for a kind's tally: every participant's latest answer value
(`Kind.tally`), their answers as records with ids, times and moderation
(`RecordKind.tally_records`), the votes on a statement round's statements (not answers
to the slide), or records less the words a facilitator hid (a word cloud)."""

Surface = Literal["phone", "projector", "remote", "report", "results"]
"""Where a kind's results or inputs are drawn; each has a partial
`kinds/<kind>_<surface>.html`, or the generic `kinds/any_<surface>.html`."""

SURFACES: tuple[Surface, ...] = ("phone", "projector", "remote", "report", "results")

FormPart = Literal["text", "options", "statement"]
"""What the editor's form shows of a slide's body: its text, its options (each a title and
a description, `Slide.options`) or its statement (`Slide.statement`). A kind with
"options" or "statement" writes its body from those (`Kind.write`); with "text" alone the
form shows the body as the kind writes it."""

Control = Literal["number", "flag", "choice", "text"]
"""How the editor's form shows a setting: a number field with its limits, a checkbox, a
menu of fixed values, or a line of text."""


@dataclass(frozen=True)
class Setting:
    """One slide setting as the editor's form shows it, with the limits `read` enforces,
    so the form offers only what the deck reader accepts (the reader stays the judge).

    `default` is the value the kind assumes when the setting is left out: a flag whose
    default is "yes" is written as "no" when unticked, and left out when ticked."""

    name: str
    label: str
    control: Control = "text"
    low: int | None = None
    high: int | None = None
    default: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    """(value, `N_()` label) of a "choice" setting, in the menu's order."""


Form = Mapping[str, Sequence[str]]
"""A plain form post (a phone without JavaScript): each field's name with its values."""


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
    """The contract of a slide kind: its syntax and rules, then its capabilities."""

    name: str
    """The kind's name in decks, the API and templates."""

    asks: bool
    """Whether participants answer this kind (an information slide does not)."""

    settings: frozenset[str]
    """The slide settings (`key: value` under the heading) this kind understands."""

    label: str
    """Its name in the editor's add-slide menu (an `N_()` text, translated when shown)."""

    starter: str
    """The deck text a new slide of this kind starts with in the editor; it doubles as
    the kind's syntax hint. Empty: the add-slide menu does not offer the kind."""

    rows: Rows
    """What its tally shows, one line each (see `Rows`)."""

    breakdown: bool
    """Whether its results are split by profile group (counts or means worth splitting)."""

    shared: bool
    """Whether the same question asked in several rooms of an event, or in an earlier run,
    is recognised (by `question_key`) and its answers added up or compared."""

    tally_source: TallySource
    """What the app counts for its tally (see `TallySource`)."""

    feeds_opinions: bool
    """Whether its votes are columns of the session's opinion map."""

    shows_opinions: bool
    """Whether the slide shows the opinion map (its pages need the map's view)."""

    same_for_every_phone: bool
    """Whether its phone fragment depends only on the slide, the session's state and the
    phone's own answer, so phones that have not answered can share one rendering
    (web/room_slides.py). False when a phone sees something of its own: its place on an
    opinion map, its next statements, its quiz nickname and points."""

    partials: frozenset[Surface]
    """The surfaces with a partial of its own; the others use the generic one."""

    form_parts: tuple[FormPart, ...]
    """What the editor's form shows of its body (see `FormPart`)."""

    form_settings: tuple[Setting, ...]
    """Its settings as the editor's form shows them; a setting in `settings` not described
    here gets a line of text (formats/slide_form.py), so no setting is out of reach."""

    def read_form(self, slide: Slide, form: Form) -> Any:
        """The answer a plain form post stands for: the value the JSON API would get."""
        ...

    def view(self, slide: Slide) -> dict[str, Any]:
        """Its own fields in the API's slide view (besides id, kind, title, body, options)."""
        ...

    def question_key(self, slide: Slide, normal: Callable[[str], str]) -> str | None:
        """What makes two slides "the same question" (`normal` folds case, spacing and
        quotes); None when the slide is not recognised across rooms or runs."""
        ...

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


class KindDefaults:
    """The capabilities of a kind that brings nothing special: a kind class inherits this
    and overrides what differs, so a new capability needs no edit of every kind."""

    label = ""
    starter = ""
    rows: Rows = ""
    breakdown = False
    shared = False
    tally_source: TallySource = "answers"
    feeds_opinions = False
    shows_opinions = False
    same_for_every_phone = True
    partials: frozenset[Surface] = frozenset()
    form_parts: tuple[FormPart, ...] = ("text",)
    form_settings: tuple[Setting, ...] = ()

    def read_form(self, slide: Slide, form: Form) -> Any:
        """A `value` field, once (one option or stance) or repeated (several options)."""
        values = [value for value in form.get("value", ()) if isinstance(value, str)]
        if slide.multiple:
            return values
        return values[0] if values else None

    def view(self, slide: Slide) -> dict[str, Any]:
        return {}

    def question_key(self, slide: Slide, normal: Callable[[str], str]) -> str | None:
        return None


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


def last_value(form: Form, name: str) -> str | None:
    """A single-valued form field: its last value when posted more than once (as a form
    library's plain lookup gives it), None when not posted."""
    values = form.get(name, ())
    return values[-1] if values else None


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
