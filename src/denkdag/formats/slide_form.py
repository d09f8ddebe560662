"""One slide as the editor's form edits it: title, kind, text, options, statement, settings.

The form is another view of the slide's deck-file block, not a second deck format: a
slide becomes a form from the domain model and the kind's own writer (`Kind.write`), and
a form becomes the block's text (`form_text`) that `formats.slide_text.read_slide` reads
like any typed slide, so the deck reader stays the one judge of what a slide may hold.
Each line of that text remembers the form field it came from, so the reader's
`LINE: message` is shown at the field (`field_at`).

What a kind's form shows comes from the kind (`Kind.form_parts`, `Kind.form_settings`);
a setting the kind understands but does not describe gets a line of text, so a new kind
has a form without a line written here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from denkdag.domain import timer
from denkdag.domain.errors import N_
from denkdag.domain.kinds import KINDS, Kind, Setting, kind_of
from denkdag.domain.model import Option, Slide
from denkdag.formats.deck import IMAGE_SETTINGS, MAX_TITLE, image_settings, write_notes
from denkdag.formats.slide_text import NEW_SLIDES, read_slide

COMMON_SETTINGS = (
    Setting("section", N_("Section (a heading above a group of slides)")),
    Setting("timer", N_("Timer (such as 90s, 2m or 1m30s)")),
    Setting("timer_closes", N_("Voting closes when the timer ends"), "flag"),
)
"""The settings every slide has in the form (formats/deck.py COMMON_SETTINGS less the
kind, the id the editor keeps, and the image the image tools edit)."""

TITLE, KIND, TEXT, STATEMENT, OPTIONS = "title", "kind", "text", "statement", "options"
NOTES = "notes"
"""The form's field names that are not settings; `option-N` (from 0) names an option,
`setting-KEY` a setting."""


@dataclass(frozen=True)
class SlideForm:
    """A slide as the form holds it: every value a string, settings as the deck writes
    them (a setting left empty is left out, so the kind's default applies)."""

    kind: str
    title: str
    text: str = ""
    statement: str = ""
    options: tuple[tuple[str, str], ...] = ()
    """Each option's title and description."""
    settings: Mapping[str, str] = field(default_factory=dict)
    notes: str = ""
    """The speaker notes: for the facilitator's screens only."""


def form_settings(kind: Kind) -> tuple[Setting, ...]:
    """The kind's settings as the form shows them: those it describes, then the others it
    understands as lines of text (by name)."""
    described = {setting.name for setting in kind.form_settings}
    rest = sorted(kind.settings - described)
    return (*kind.form_settings, *(Setting(name, name) for name in rest))


def _structured(kind: Kind) -> bool:
    """Whether the kind's body is written from the form's options or statement (else
    the form's text is the body as written)."""
    return OPTIONS in kind.form_parts or STATEMENT in kind.form_parts


def slide_form(slide: Slide) -> dict[str, object]:
    """The slide as the form shows it (JSON): what `form_text` turns back into it."""
    kind = kind_of(slide.kind)
    settings, body = kind.write(slide)
    common = {"section": slide.section} if slide.section else {}
    pictured = dict(line.split(": ", 1) for line in image_settings(slide))
    return {
        "kind": slide.kind,
        "title": slide.title,
        "text": slide.body if _structured(kind) else "\n".join(body),
        "statement": slide.statement,
        "options": [
            {"label": option.label, "description": option.description} for option in slide.options
        ],
        "settings": {**common, **settings, **timer.write_settings(slide), **pictured},
        "notes": slide.notes,
    }


def _line(value: str) -> str:
    """A value that must stay on one line (a title, a setting): runs of spaces, tabs and
    line breaks become one space, so no value can add a line of its own."""
    return " ".join(value.split())


def form_text(form: SlideForm) -> tuple[str, list[str]]:
    """The slide's text block (as `formats.slide_text` reads it) and, for each of its
    lines, the form field it came from. An unknown kind is written as given: the reader
    refuses it on the `kind:` line."""
    kind = KINDS.get(form.kind)
    lines = [(f"# {_line(form.title)}", TITLE), (f"kind: {_line(form.kind)}", KIND)]
    known = {s.name for s in COMMON_SETTINGS} | IMAGE_SETTINGS | (kind.settings if kind else set())
    for key, value in form.settings.items():
        if key in known and _line(value):
            lines.append((f"{key}: {_line(value)}", f"setting-{key}"))
    if kind is not None and _structured(kind):
        slide = Slide(
            id="s1",
            kind=form.kind,
            title=form.title,
            body=form.text.strip("\n"),
            options=tuple(
                Option(id=str(n), label=_line(label), description=description.strip())
                for n, (label, description) in enumerate(form.options)
            ),
            statement=form.statement.strip("\n"),
        )
        body = _body_fields(kind, kind.write(slide)[1])
    else:
        body = [(text, TEXT) for text in form.text.strip("\n").split("\n")] if form.text else []
    if body:
        lines += [("", TEXT), *body]
    lines += [(text, NOTES) for text in write_notes(form.notes.strip("\n"))]
    return "\n".join(text for text, _ in lines), [name for _, name in lines]


def _body_fields(kind: Kind, body: list[str]) -> list[tuple[str, str]]:
    """Body lines written from options or a statement, each with its field: the text
    before the options, `option-N` from each option's `- ` line on."""
    if OPTIONS not in kind.form_parts:
        return [(text, STATEMENT) for text in body]
    out: list[tuple[str, str]] = []
    option = -1
    for text in body:
        if text.startswith("- "):
            option += 1
        out.append((text, TEXT if option < 0 else f"option-{option}"))
    return out


def field_at(form: SlideForm, fields: list[str], line: int) -> str:
    """The form field that a reader's error on `line` (1 = the heading) is about. The
    heading's line is also where a kind names what its body lacks (two options, a
    statement): that is the title's fault only when the title is empty or too long."""
    if line < 1 or line > len(fields):
        return TEXT
    name = fields[line - 1]
    if name != TITLE:
        return name
    title = _line(form.title)
    if not title or len(title) > MAX_TITLE:
        return TITLE
    kind = KINDS.get(form.kind)
    if kind is None:
        return KIND
    return OPTIONS if OPTIONS in kind.form_parts else kind.form_parts[0]


def kind_forms(gettext: Callable[[str], str]) -> dict[str, dict[str, object]]:
    """What the form shows for every kind the editor offers, labels in the reader's
    language: its parts, its settings with their limits, and a new slide's form (what a
    switch to the kind fills in when the slide lacks it)."""
    forms: dict[str, dict[str, object]] = {}
    for name in NEW_SLIDES:
        kind = kind_of(name)
        forms[name] = {
            "label": gettext(kind.label) if kind.label else name,
            "parts": list(kind.form_parts),
            "asks": kind.asks,
            "settings": [
                _setting(setting, gettext) for setting in (*form_settings(kind), *COMMON_SETTINGS)
            ],
            "starter": slide_form(read_slide(NEW_SLIDES[name], "s1")),
        }
    return forms


def _setting(setting: Setting, gettext: Callable[[str], str]) -> dict[str, object]:
    return {
        "name": setting.name,
        "label": gettext(setting.label) if setting.label != setting.name else setting.name,
        "control": setting.control,
        "low": setting.low,
        "high": setting.high,
        "default": setting.default,
        "choices": [[value, gettext(label)] for value, label in setting.choices],
    }
