"""The profile part of a report: group sizes, each slide's breakdown, the opinion spread
and the labels exports may carry, as plain values (domain/breakdowns.py does the sums).

Built once per report, so the page, the PDF, the spreadsheet and the CSV/JSON exports
show the same figures and hide the same groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from denkdag.domain.breakdowns import (
    Breakdown,
    OpinionSpread,
    ProfileCounts,
    breaks_down,
    opinion_spread,
    profile_counts,
    slide_breakdown,
)
from denkdag.domain.model import Session, StoredAnswer
from denkdag.domain.profiles import ProfileQuestion, export_labels

Answers = Mapping[str, str | None]


@dataclass(frozen=True)
class ProfileReport:
    """Everything a report and the exports show of the profile questions."""

    questions: tuple[ProfileQuestion, ...]
    counts: tuple[ProfileCounts, ...]
    """Participants per group, among everyone who joined."""
    slides: Mapping[str, tuple[Breakdown, ...]]
    """Slide id → one breakdown per question (choice, statement and scale slides)."""
    spread: tuple[OpinionSpread, ...] = ()
    """Profile groups over the opinion groups of the report's map (when it is drawn)."""
    labels: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    """Participant id → question id → the label an export may carry (or "hidden")."""


def breakdowns_of(
    session: Session, question: ProfileQuestion, answers: Sequence[StoredAnswer], profiles: Any
) -> dict[str, Breakdown]:
    """Slide id → its breakdown by `question`, for every slide that is broken down."""
    by_slide: dict[str, list[tuple[int, Any]]] = {}
    for answer in answers:
        by_slide.setdefault(answer.slide_id, []).append((answer.participant_id, answer.value))
    return {
        slide.id: slide_breakdown(slide, question, by_slide.get(slide.id, []), profiles)
        for slide in session.deck.slides
        if breaks_down(slide)
    }


def build_profile_report(
    session: Session,
    answers: Sequence[StoredAnswer],
    profiles: Mapping[int, Answers],
    participants: Sequence[int],
    opinion_members: Mapping[int, int] | None = None,
    opinion_columns: Sequence[str] = (),
) -> ProfileReport | None:
    """The profile part of a report; None when the deck asks no profile questions.

    `opinion_members` maps each participant on the report's opinion map to a column of
    `opinion_columns` (its shown group, or the last column: drawn without a group).
    """
    questions = session.deck.info.profile
    if not questions:
        return None
    per_question = [breakdowns_of(session, q, answers, profiles) for q in questions]
    slides = {
        slide.id: tuple(found[slide.id] for found in per_question)
        for slide in session.deck.slides
        if breaks_down(slide)
    }
    spread: tuple[OpinionSpread, ...] = ()
    if opinion_members:
        spread = tuple(
            opinion_spread(q, opinion_members, opinion_columns, profiles) for q in questions
        )
    return ProfileReport(
        questions=questions,
        counts=tuple(profile_counts(q, profiles, participants) for q in questions),
        slides=slides,
        spread=spread,
        labels=export_labels(questions, profiles, participants),
    )
