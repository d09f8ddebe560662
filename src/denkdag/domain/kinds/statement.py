"""Statements: agree, disagree or pass, as the seed's "Akkoord of niet akkoord?" slides.

The vote encoding used by the opinion analysis is declared here, once: agree 1,
disagree -1, pass 0 (pol.is' own encoding).

Deck syntax: the heading is the question, the body the statement, optionally quoted
with '> ' as in Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from denkdag.domain.errors import N_, InvalidAnswer
from denkdag.domain.kinds.base import STANCES as STANCES  # re-exported: a statement's answers
from denkdag.domain.kinds.base import (
    DeckSyntaxError,
    KindDefaults,
    Rows,
    SlideContent,
    SlideSource,
)
from denkdag.domain.model import Slide
from denkdag.domain.tally import Tally

VOTE_ENCODING = {"agree": 1, "disagree": -1, "pass": 0}


class StatementKind(KindDefaults):
    """An agree / disagree / pass statement."""

    name = "statement"
    asks = True
    settings: frozenset[str] = frozenset()
    label = N_("Statement (agree / disagree)")
    starter = N_("# Agree or disagree?\nkind: statement\n\n> The statement the room votes on.")
    form_parts = ("statement",)
    rows: Rows = "stances"
    breakdown = True
    shared = True
    feeds_opinions = True
    partials = frozenset({"phone", "projector", "report"})

    def view(self, slide: Slide) -> dict[str, Any]:
        return {"statement": slide.statement}

    def question_key(self, slide: Slide, normal: Callable[[str], str]) -> str | None:
        """Its statement (its title when it has none)."""
        return f"{self.name}:" + normal(slide.statement or slide.title)

    def read(self, source: SlideSource) -> SlideContent:
        lines = []
        for line in source.body:
            text = line.text.rstrip()
            if text.startswith(">"):
                text = text[1:].removeprefix(" ")
            lines.append(text)
        statement = "\n".join(lines).strip("\n")
        if not statement.strip():
            raise DeckSyntaxError(
                source.heading.number,
                N_("a statement slide needs the statement below its heading (e.g. '> …')"),
            )
        return SlideContent(statement=statement)

    def write(self, slide: Slide) -> tuple[dict[str, str], list[str]]:
        return {}, [f"> {line}" if line else ">" for line in slide.statement.split("\n")]

    def validate(self, slide: Slide, value: object) -> Any:
        if value not in STANCES:
            raise InvalidAnswer(N_("Answer a statement with 'agree', 'disagree' or 'pass'."))
        return value

    def tally(self, slide: Slide, answers: Iterable[Any]) -> Tally:
        counts = dict.fromkeys(STANCES, 0)
        respondents = 0
        for answer in answers:
            if answer in counts:
                counts[answer] += 1
                respondents += 1
        return Tally(slide_id=slide.id, kind=self.name, respondents=respondents, counts=counts)


KIND = StatementKind()
