"""Choice questions: one answer, or several where the slide allows (`multiple: yes`).

Deck syntax: an optional prompt, then one bullet per option. An option is a bold title
with an optional description after it, on the same line or on the indented lines below:

    - **Permanente samenwerking**
      Permanente samenwerking met vaste partners rond meerdere thema's

Options get the ids a, b, c … in the order written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from typing import Any

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    KindDefaults,
    Line,
    Rows,
    Setting,
    SlideContent,
    SlideSource,
    body_text,
    parse_flag,
)
from denkdag.domain.model import Option, Slide
from denkdag.domain.tally import Tally

MAX_OPTIONS = len(string.ascii_lowercase)
_BOLD_LABEL = re.compile(r"^\*\*(?P<label>.+?)\*\*(?P<rest>.*)$")


def option_id(index: int) -> str:
    """The id of the option at `index` (0-based): a, b, c …"""
    return string.ascii_lowercase[index]


def read_options(lines: list[Line]) -> tuple[str, tuple[Option, ...]]:
    """Split a body into the prompt (before the first bullet) and the options."""
    prompt: list[Line] = []
    items: list[tuple[Line, list[Line]]] = []
    for line in lines:
        if line.text.startswith(("- ", "* ")):
            items.append((line, []))
        elif items and (line.text.startswith((" ", "\t")) or not line.text.strip()):
            items[-1][1].append(line)
        elif items:
            raise DeckSyntaxError(
                line.number,
                N_(
                    "text after the options must be indented under an option (start an option "
                    "with '- ')"
                ),
            )
        else:
            prompt.append(line)
    if len(items) > MAX_OPTIONS:
        raise DeckSyntaxError(
            items[MAX_OPTIONS][0].number, N_("at most %(most)s options"), most=MAX_OPTIONS
        )
    options = []
    for index, (first, continuation) in enumerate(items):
        text = first.text[2:].strip()
        if not text:
            raise DeckSyntaxError(first.number, N_("an option needs a title after '- '"))
        match = _BOLD_LABEL.match(text)
        if match:
            label, rest = match["label"].strip(), match["rest"].strip()
        else:
            label, rest = text, ""
        if not label:
            raise DeckSyntaxError(first.number, N_("an option needs a title after '- '"))
        description_lines = [rest] if rest else []
        description_lines += [line.text.strip() for line in continuation]
        description = "\n".join(description_lines).strip()
        options.append(Option(id=option_id(index), label=label, description=description))
    return body_text(prompt), tuple(options)


def write_options(slide: Slide) -> list[str]:
    """Body lines for a slide with options: the prompt, then one bullet per option."""
    lines = slide.body.split("\n") if slide.body else []
    if lines:
        lines.append("")
    for option in slide.options:
        # Bold unless the label would not read back as itself (e.g. it holds '**').
        bold = _BOLD_LABEL.match(f"**{option.label}**")
        plain = not bold or bold["label"].strip() != option.label or bold["rest"]
        lines.append(f"- {option.label}" if plain else f"- **{option.label}**")
        lines += [f"  {part}" for part in option.description.split("\n") if option.description]
    return lines


class ChoiceKind(KindDefaults):
    """A multiple-choice question with described options."""

    name = "choice"
    asks = True
    settings = frozenset({"multiple"})
    label = N_("Multiple choice")
    form_parts = ("text", "options")
    form_settings = (Setting("multiple", N_("Participants may choose several options"), "flag"),)
    starter = N_(
        "# Your question?\nkind: choice\nmultiple: no\n\n- **First option**\n- **Second option**"
    )
    rows: Rows = "options"
    breakdown = True
    shared = True
    partials = frozenset({"phone", "projector", "report"})

    def view(self, slide: Slide) -> dict[str, Any]:
        return {"multiple": slide.multiple}

    def question_key(self, slide: Slide, normal: Callable[[str], str]) -> str | None:
        """Its title, its prompt, whether it takes several answers, and its set of option
        labels (in any order)."""
        labels = "|".join(sorted(normal(option.label) for option in slide.options))
        mode = "multi" if slide.multiple else "one"
        return f"{self.name}:{mode}:{normal(slide.title)}:{normal(slide.body)}:{labels}"

    def read(self, source: SlideSource) -> SlideContent:
        prompt, options = read_options(list(source.body))
        if len(options) < 2:
            raise DeckSyntaxError(
                source.heading.number,
                N_("a choice question needs at least two options, each a line starting with '- '"),
            )
        labels = [option.label for option in options]
        duplicate = next((label for label in labels if labels.count(label) > 1), None)
        if duplicate is not None:
            raise DeckSyntaxError(
                source.heading.number,
                N_("option '%(duplicate)s' appears twice"),
                duplicate=duplicate,
            )
        return SlideContent(body=prompt, options=options, multiple=parse_flag(source, "multiple"))

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings = {"multiple": "yes"} if slide.multiple else {}
        return settings, write_options(slide)

    def validate(self, slide: Slide, value: object) -> Any:
        known = [option.id for option in slide.options]
        if slide.multiple:
            chosen = [value] if isinstance(value, str) else value
            if not isinstance(chosen, list) or not chosen:
                raise InvalidAnswer(N_("Choose at least one option: a list of option ids."))
            if not all(isinstance(item, str) for item in chosen):
                raise InvalidAnswer(N_("Every chosen option must be an option id (a string)."))
            unknown = [item for item in chosen if item not in known]
            if unknown:
                raise InvalidAnswer(
                    N_("Unknown option '%(unknown)s'; this question has %(known)s."),
                    unknown=unknown[0],
                    known=", ".join(known),
                )
            if len(set(chosen)) != len(chosen):
                raise InvalidAnswer(N_("Choose each option at most once."))
            return [option_id for option_id in known if option_id in chosen]
        if not isinstance(value, str):
            raise InvalidAnswer(N_("Choose one option: its id as a string."))
        if value not in known:
            raise InvalidAnswer(
                N_("Unknown option '%(value)s'; this question has %(known)s."),
                value=value,
                known=", ".join(known),
            )
        return value

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        counts = {option.id: 0 for option in slide.options}
        respondents = 0
        for answer in answers:
            respondents += 1
            for chosen in answer if isinstance(answer, list) else [answer]:
                if chosen in counts:
                    counts[chosen] += 1
        return Tally(slide_id=slide.id, kind=self.name, respondents=respondents, counts=counts)


KIND = ChoiceKind()
