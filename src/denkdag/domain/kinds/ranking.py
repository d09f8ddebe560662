"""Rankings: participants put every option in their order; the room's average rank.

Deck syntax: as a choice question (an optional prompt, then one bullet per option, a bold
title with an optional description), at least two options:

    # Wat eerst?
    kind: ranking

    - **Kennis delen**
    - **Samen aankopen**
    - **Gezamenlijke programmatie**

An answer lists every option id once, best first (`["b", "a", "c"]`). The result is each
option's average rank (1 is best) and `order`, the option ids sorted by it; `counts`
holds how often each option was put first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    Form,
    KindDefaults,
    SlideContent,
    SlideSource,
    last_value,
)
from denkdag.domain.kinds.choice import read_options, write_options
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally


class RankingKind(KindDefaults):
    """Options put in order by each participant; shown by average rank."""

    name = "ranking"
    asks = True
    settings: frozenset[str] = frozenset()
    label = N_("Ranking")
    starter = N_("# What comes first?\nkind: ranking\n\n- **First**\n- **Second**\n- **Third**")
    form_parts = ("text", "options")
    partials = frozenset({"phone", "projector", "report", "results"})

    def read_form(self, slide: Slide, form: Form) -> Any:
        """A place (1, 2, 3 …) per option, `rank-<id>`; the answer is the ids by place."""
        places: dict[str, int] = {}
        for option in slide.options:
            raw = last_value(form, f"rank-{option.id}")
            if not isinstance(raw, str) or not raw.strip().isdigit():
                raise InvalidAnswer(
                    N_("Give '%(label)s' a place from 1 to %(count)s."),
                    label=option.label,
                    count=len(slide.options),
                )
            places[option.id] = int(raw)
        taken = sorted(places.values())
        if taken != list(range(1, len(slide.options) + 1)):
            raise InvalidAnswer(
                N_("Give each option a different place, from 1 to %(count)s."),
                count=len(slide.options),
            )
        return sorted(places, key=lambda option_id: places[option_id])

    def read(self, source: SlideSource) -> SlideContent:
        prompt, options = read_options(list(source.body))
        if len(options) < 2:
            raise DeckSyntaxError(
                source.heading.number,
                N_("a ranking needs at least two options, each a line starting with '- '"),
            )
        labels = [option.label for option in options]
        duplicate = next((label for label in labels if labels.count(label) > 1), None)
        if duplicate is not None:
            raise DeckSyntaxError(
                source.heading.number,
                N_("option '%(duplicate)s' appears twice"),
                duplicate=duplicate,
            )
        return SlideContent(body=prompt, options=options)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        return {}, write_options(slide)

    def validate(self, slide: Slide, value: object) -> Any:
        known = [option.id for option in slide.options]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InvalidAnswer(
                N_("Put every option in your order: a list of option ids such as %(known)s."),
                known=known,
            )
        unknown = [item for item in value if item not in known]
        if unknown:
            raise InvalidAnswer(
                N_("Unknown option '%(unknown)s'; this ranking has %(known)s."),
                unknown=unknown[0],
                known=", ".join(known),
            )
        twice = next((item for item in value if value.count(item) > 1), None)
        if twice is not None:
            raise InvalidAnswer(
                N_("Option '%(twice)s' is ranked twice; give each option one place."), twice=twice
            )
        missing = [item for item in known if item not in value]
        if missing:
            raise InvalidAnswer(
                N_("Option '%(missing)s' has no place; rank every option (%(known)s)."),
                missing=missing[0],
                known=", ".join(known),
            )
        return list(value)

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        known = [option.id for option in slide.options]
        totals = dict.fromkeys(known, 0)
        firsts = dict.fromkeys(known, 0)
        respondents = 0
        for answer in answers:
            if not isinstance(answer, list) or sorted(answer) != sorted(known):
                continue  # written before the options changed: not comparable
            respondents += 1
            for place, option_id in enumerate(answer, start=1):
                totals[option_id] += place
            firsts[answer[0]] += 1
        average = {
            option_id: (round(totals[option_id] / respondents, 2) if respondents else None)
            for option_id in known
        }
        order = sorted(
            known,
            key=lambda option_id: (
                totals[option_id] if respondents else 0,
                known.index(option_id),
            ),
        )
        return Tally(
            slide_id=slide.id,
            kind=self.name,
            respondents=respondents,
            counts=firsts,
            extra={"average_rank": average, "order": order},
        )


KIND = RankingKind()
