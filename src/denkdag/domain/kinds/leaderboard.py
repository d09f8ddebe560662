"""The quiz's leaderboard: a slide that shows the standings of the quiz so far.

Deck syntax: `kind: leaderboard` between quiz questions (the projector shows the top
ten, moving as the standings change), and `podium: yes` on the last one (the projector
shows the first three on a podium). `teams: p1` adds the team standings by the groups of
profile question p1 (`domain/quiz.py`: the team average; groups under five are not
shown). Showing a leaderboard slide is also what lets participants read the leaderboard
(`GET …/leaderboard`): before, only facilitators may.

    # Tussenstand
    kind: leaderboard
    teams: p1

An optional body is shown above the standings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from denkdag.domain.errors import N_, SlideNotOpen
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    KindDefaults,
    SlideContent,
    SlideSource,
    body_text,
    parse_flag,
)
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally

NAME = "leaderboard"


def is_podium(slide: Slide) -> bool:
    return bool(slide.extra.get("podium"))


def teams_question(slide: Slide) -> str | None:
    """The profile question whose groups are the teams, or None (players only)."""
    value = slide.extra.get("teams")
    return str(value) if value else None


class LeaderboardKind(KindDefaults):
    """The standings of the session's quiz: players by nickname, and teams."""

    name = NAME
    asks = False
    settings = frozenset({"podium", "teams"})
    label = N_("Quiz leaderboard")
    starter = N_("# Leaderboard\nkind: leaderboard\npodium: no")
    partials = frozenset({"phone", "projector"})
    shows_leaderboard = True
    same_for_every_phone = False
    """Showing it lets participants read the leaderboard (app/quiz.py)."""

    def view(self, slide: Slide) -> dict[str, Any]:
        return {"podium": is_podium(slide)}

    def read(self, source: SlideSource) -> SlideContent:
        extra: dict[str, Any] = {}
        if parse_flag(source, "podium"):
            extra["podium"] = True
        raw = source.settings.get("teams")
        if raw is not None:
            teams = raw.strip().lower()
            if not teams.isascii() or not teams.isalnum():
                raise DeckSyntaxError(
                    source.setting_lines["teams"].number,
                    N_("'teams' names a profile question, such as 'teams: p1', not '%(value)s'"),
                    value=raw.strip(),
                )
            extra["teams"] = teams
        return SlideContent(body=body_text(source.body), extra=extra)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        settings = {"podium": "yes"} if is_podium(slide) else {}
        if teams_question(slide):
            settings["teams"] = str(teams_question(slide))
        return settings, slide.body.split("\n") if slide.body else []

    def validate(self, slide: Slide, value: object) -> Any:
        raise SlideNotOpen(N_("This slide is information only; there is nothing to answer."))

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        return Tally(slide_id=slide.id, kind=self.name, respondents=0)


KIND = LeaderboardKind()
