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
from denkdag.domain.kinds.base import DeckSyntaxError, SlideContent, SlideSource
from denkdag.domain.kinds.choice import read_options, write_options
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally


class RankingKind:
    """Options put in order by each participant; shown by average rank."""

    name = "ranking"
    asks = True
    settings: frozenset[str] = frozenset()

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
