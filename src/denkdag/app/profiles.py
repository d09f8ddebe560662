"""Profile questions as use cases: answer them once, and break results down by group.

The questions are part of the session's deck (front matter), so an event that copies its
questions into each session's deck needs nothing more from here. Answers are stored per
participant (`storage/profiles.py`); every breakdown is computed from the stored answers
and goes through the privacy rule of `domain/profiles.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from denkdag.domain.breakdowns import Breakdown, opinion_spread, profile_counts, slide_breakdown
from denkdag.domain.errors import N_, InvalidAnswer, NotFound
from denkdag.domain.model import Session, Slide, StoredAnswer
from denkdag.domain.profiles import ProfileQuestion, check_answers
from denkdag.formats.export_profiles import ProfileColumns
from denkdag.formats.profile_report import ProfileReport, breakdowns_of, build_profile_report
from denkdag.formats.report import Report
from denkdag.storage import SqlStore
from denkdag.storage.profiles import Answers, ProfileStore

if TYPE_CHECKING:
    from denkdag.app.opinions import LiveMap


class Profiles:
    """Profile answers of a store's sessions."""

    def __init__(self, store: SqlStore) -> None:
        self.store = ProfileStore(store)
        self.answers_store = store

    async def slide_breakdown(
        self, session: Session, slide: Slide, question: ProfileQuestion
    ) -> Breakdown:
        """`slide`'s result per group of a profile question (the presenter's view)."""
        answers = [
            (answer.participant_id, answer.value)
            for answer in await self.answers_store.session_answers(session.id)
            if answer.slide_id == slide.id
        ]
        return slide_breakdown(slide, question, answers, await self.store.of_session(session.id))

    async def of(self, participant_id: int) -> Answers | None:
        """The participant's answers; None while they have neither answered nor skipped."""
        return await self.store.of_participant(participant_id)

    async def must_ask(self, session: Session, participant_id: int) -> bool:
        """Whether the phone should show the profile questions before the first slide."""
        return bool(session.deck.info.profile) and await self.of(participant_id) is None

    async def answer(
        self, session: Session, participant_id: int, answers: Mapping[str, object]
    ) -> Answers:
        """Check and store a participant's answers (an empty mapping: skip them all)."""
        if not session.deck.info.profile:
            raise InvalidAnswer(N_("This session asks no profile questions."))
        stored = check_answers(session.deck.info.profile, answers)
        await self.store.put(session.id, participant_id, stored)
        return stored

    async def report(
        self,
        session: Session,
        answers: Sequence[StoredAnswer],
        opinion_members: Mapping[int, int] | None = None,
        opinion_columns: Sequence[str] = (),
    ) -> ProfileReport | None:
        if not session.deck.info.profile:
            return None
        return build_profile_report(
            session,
            answers,
            await self.store.of_session(session.id),
            await self.store.participant_ids(session.id),
            opinion_members,
            opinion_columns,
        )

    async def csv_columns(
        self, session: Session, answers: Sequence[StoredAnswer]
    ) -> ProfileColumns | None:
        """The CSV export's profile columns; None when the deck asks no profile questions."""
        found = await self.report(session, answers)
        return ProfileColumns(found) if found is not None else None

    async def results_by(
        self, session: Session, question_id: str, live: LiveMap | None
    ) -> dict[str, Any]:
        """The results endpoint's `?by=` part: group sizes, each slide's breakdown and the
        spread over the live opinion map's groups, for one question."""
        question = next((q for q in session.deck.info.profile if q.id == question_id), None)
        if question is None:
            known = ", ".join(q.id for q in session.deck.info.profile) or "none"
            raise NotFound(
                N_(
                    "This session has no profile question '%(question_id)s' (its questions: "
                    "%(known)s)."
                ),
                question_id=question_id,
                known=known,
            )
        profiles = await self.store.of_session(session.id)
        participants = await self.store.participant_ids(session.id)
        answers = await self.answers_store.session_answers(session.id)
        slides = breakdowns_of(session, question, answers, profiles)
        data: dict[str, Any] = {
            **profile_counts(question, profiles, participants).as_dict(),
            "slides": {slide_id: found.as_dict() for slide_id, found in slides.items()},
            "opinion_groups": None,
        }
        if live is not None and live.map is not None:
            members, columns = live_opinion_members(live)
            if members:
                data["opinion_groups"] = opinion_spread(
                    question, members, columns, profiles
                ).as_dict()
        return data


def live_opinion_members(live: LiveMap) -> tuple[dict[int, int], list[str]]:
    """Participant id → column, and the columns (shown groups' labels, then "" for those
    drawn without a group), from a live opinion map."""
    from denkdag.app.opinions import LABELS

    result = live.map
    if result is None:
        return {}, []
    shown = sorted(live.shown())
    column = {group: index for index, group in enumerate(shown)}
    columns = [LABELS[group] for group in shown]
    members: dict[int, int] = {}
    for pid, group in zip(result.participant_ids, result.groups.tolist(), strict=True):
        if group < 0:
            continue
        members[int(pid)] = column.get(group, len(shown))
    if any(index == len(shown) for index in members.values()):
        columns.append("")
    return members, columns


def report_opinion_members(report: Report) -> tuple[dict[int, int], list[str]]:
    """Participant id → column, and the columns (the room's names "A", "B" … of the
    report's shown opinion groups, then "" for those drawn without a group), from a
    report's opinion map."""
    opinion = report.opinion
    if opinion is None or not opinion.drawn:
        return {}, []
    count = len(opinion.groups)
    columns = [group.label for group in opinion.groups]
    members = {pid: (number - 1 if number else count) for pid, number in opinion.members.items()}
    if any(index == count for index in members.values()):
        columns.append("")
    return members, columns
