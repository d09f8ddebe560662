"""Quiz questions: a choice question with a right answer, a closing timer and points.

Deck syntax: as a choice question (an optional prompt, one bullet per option, ids a, b,
c … in the order written), with

    # Hoofdstad van België?
    kind: quiz
    correct: b                    the right option (several: `correct: a, c`)
    timer: 20s                    required: answering closes when it ends
    points: 1000                  optional, 1 to 100000 (default 1000)
    multiple: no                  optional, as for choice (see "several right options")

    - Antwerpen
    - Brussel

The timer always closes voting on a quiz (`timer_closes` is implied) and starts by itself
the first time the slide is shown (`timer_on_arrival`), so every phone has the same
time, measured on the server's clock. The results stay hidden until the facilitator
reveals them, even in a session whose results are live (`reveal_by_hand`): until then
neither phones nor the projector are told the right answer (`correct` is a private
setting, and the tally carries `correct` and `right` only once revealed).

Several right options: with `multiple: no` (the default) a participant picks one option
and is right when it is one of them; with `multiple: yes` a participant picks a set and is
right only when it is exactly the right set. Points for speed are `domain/quiz.py`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from denkdag.domain.errors import N_
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    Rows,
    SlideContent,
    SlideSource,
    parse_int,
)
from denkdag.domain.kinds.choice import ChoiceKind
from denkdag.domain.kinds.participant_text import read_banned, write_banned
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally

NAME = "quiz"
DEFAULT_POINTS = 1000
MAX_POINTS = 100_000


def correct_options(slide: Slide) -> tuple[str, ...]:
    """The ids of the slide's right options, in option order."""
    return tuple(str(item) for item in slide.extra.get("correct", ()))


def points_of(slide: Slide) -> int:
    """What a right answer is worth at best (an instant answer)."""
    return int(slide.extra.get("points", DEFAULT_POINTS))


def is_right(slide: Slide, value: object) -> bool:
    """Whether a stored answer is right (see the module's "several right options")."""
    right = set(correct_options(slide))
    if isinstance(value, list):
        chosen = {str(item) for item in value}
        return bool(chosen) and (chosen == right if slide.multiple else chosen <= right)
    return isinstance(value, str) and value in right


class QuizKind(ChoiceKind):
    """A choice question with right options, answered against a closing countdown."""

    name = NAME
    settings = frozenset({"multiple", "correct", "points", "banned"})
    label = N_("Quiz question")
    starter = N_(
        "# Your quiz question?\nkind: quiz\ncorrect: a\ntimer: 20s\npoints: 1000\n\n"
        "- **Right answer**\n- **Wrong answer**"
    )
    rows: Rows = "options"
    breakdown = False
    shared = False
    partials = frozenset({"phone", "projector", "report"})
    reveal_by_hand = True
    """Not revealed by itself in a live session: the reveal tells the right answer."""
    withheld_until_reveal = frozenset({"correct", "right"})
    """Tally fields no screen gets before the reveal, a facilitator's neither (the
    projector is one): Results.shown."""
    timer_on_arrival = True
    """Its countdown starts when it is first shown (domain/session_flow.py)."""
    same_for_every_phone = False

    def view(self, slide: Slide) -> dict[str, Any]:
        return {"multiple": slide.multiple, "points": points_of(slide)}

    def read(self, source: SlideSource) -> SlideContent:
        content = super().read(source)
        raw = source.settings.get("correct")
        if raw is None or not raw.strip():
            raise DeckSyntaxError(
                source.heading.number,
                N_("a quiz question needs its right option(s), such as 'correct: b'"),
            )
        line = source.setting_lines["correct"].number
        known = [option.id for option in content.options]
        named = [part.strip().lower() for part in raw.split(",")]
        for item in named:
            if item not in known:
                raise DeckSyntaxError(
                    line,
                    N_("'correct' names option '%(item)s', but this question has %(known)s"),
                    item=item,
                    known=", ".join(known),
                )
        if len(set(named)) != len(named):
            raise DeckSyntaxError(line, N_("'correct' names an option twice"))
        if "timer" not in source.settings:
            raise DeckSyntaxError(
                source.heading.number,
                N_("a quiz question needs the time to answer, such as 'timer: 20s'"),
            )
        extra: dict[str, Any] = {
            "correct": [option_id for option_id in known if option_id in named],
            "timer_closes": True,
        }
        points = parse_int(source, "points", DEFAULT_POINTS, 1, MAX_POINTS)
        if points != DEFAULT_POINTS:
            extra["points"] = points
        banned = read_banned(source)
        if banned:
            extra["banned"] = list(banned)
        return SlideContent(
            body=content.body, options=content.options, multiple=content.multiple, extra=extra
        )

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings, lines = super().write(slide)
        settings["correct"] = ", ".join(correct_options(slide))
        if points_of(slide) != DEFAULT_POINTS:
            settings["points"] = str(points_of(slide))
        settings.update(write_banned(slide.extra.get("banned", ())))
        return settings, lines

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        """The choice counts, plus `correct` (the right option ids) and `right` (how many
        answered right). Screens get the extra fields only with the counts, i.e. once the
        slide is revealed (`Tally.as_dict`)."""
        values = list(answers)
        counted = super().tally(slide, values)
        right = sum(1 for value in values if is_right(slide, value))
        extra = {"correct": list(correct_options(slide)), "right": right}
        return Tally(
            slide_id=slide.id,
            kind=self.name,
            respondents=counted.respondents,
            counts=counted.counts,
            extra=extra,
        )


KIND = QuizKind()
