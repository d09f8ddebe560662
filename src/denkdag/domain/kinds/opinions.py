"""The opinion map slide: the room's opinion groups from its statement votes, shown live.

Nothing is answered on this slide (`asks = False`); it shows what the session's
statement slides add up to: participants as dots in their groups, what each group
stands for, and the statements that unite and divide the room. Its results follow the
session's results mode like any question's: hidden until the facilitator reveals them
(`reveals = True` lets the reveal / hide controls act on it).

Deck syntax: `kind: opinions`, an optional text below the heading, and the setting
`show_own: yes` to highlight each participant's own dot on their phone.

    # Waar staat de zaal?
    kind: opinions
    show_own: yes

    Elke stip is een deelnemer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from denkdag.domain.errors import N_, SlideNotOpen
from denkdag.domain.kinds.base import (
    KindDefaults,
    Setting,
    SlideContent,
    SlideSource,
    body_text,
    parse_flag,
)
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally

SHOW_OWN = "show_own"


class OpinionsKind(KindDefaults):
    """An opinion map of the session's statement votes: shown, never answered."""

    name = "opinions"
    asks = False
    reveals = True
    """Its results may be hidden and revealed like a question's."""
    settings = frozenset({SHOW_OWN})
    label = N_("Opinion map")
    starter = N_("# How the room thinks\nkind: opinions")
    form_settings = (
        Setting(SHOW_OWN, N_("Each phone shows its owner's place on the map"), "flag"),
    )
    shows_opinions = True
    same_for_every_phone = False
    partials = frozenset({"phone", "projector", "remote", "report"})

    def read(self, source: SlideSource) -> SlideContent:
        extra = {SHOW_OWN: True} if parse_flag(source, SHOW_OWN) else {}
        return SlideContent(body=body_text(source.body), extra=extra)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings = {SHOW_OWN: "yes"} if shows_own(slide) else {}
        return settings, slide.body.split("\n") if slide.body else []

    def validate(self, slide: Slide, value: object) -> Any:
        raise SlideNotOpen(N_("This slide shows the opinion map; there is nothing to answer."))

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        return Tally(slide_id=slide.id, kind=self.name, respondents=0)


def shows_own(slide: Slide) -> bool:
    """Whether the facilitator lets each phone highlight its own dot on this slide."""
    return bool(slide.extra.get(SHOW_OWN, False))


KIND = OpinionsKind()
