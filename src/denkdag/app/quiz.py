"""The quiz as use cases: nicknames, the scores of every question, the leaderboard.

Scores are never stored: they are computed from the stored answers (with the time each
was last stored) and each question's countdown in the live state, by the rules of
`domain/quiz.py`. So a phone that reconnects, or joins again on another instance, keeps
its score, and a changed rule applies to every past answer alike. Live screens count
only the questions revealed so far. The room's many phones asking together share one
computation a tally interval (`RecentValues`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from denkdag.app.access import Access
from denkdag.app.participation import Participation
from denkdag.app.sessions import SessionCache
from denkdag.domain import quiz
from denkdag.domain.errors import N_, NotAllowed
from denkdag.domain.kinds import kind_of
from denkdag.domain.kinds.leaderboard import teams_question
from denkdag.domain.kinds.quiz import QuizKind
from denkdag.domain.model import Session, Slide, User
from denkdag.domain.profiles import answer_of
from denkdag.domain.questions import banned_words
from denkdag.domain.timer import timer_of
from denkdag.live.recent import RecentValues
from denkdag.storage import SqlStore
from denkdag.storage.profiles import ProfileStore
from denkdag.storage.quiz import NicknameTaken, QuizStore


@dataclass(frozen=True)
class Board:
    """The quiz of one session as scored now: each question's answers, the standings."""

    questions: tuple[tuple[Slide, tuple[quiz.Scored, ...]], ...]
    players: tuple[quiz.Standing, ...]

    def standing_of(self, participant_id: int) -> quiz.Standing | None:
        return next((p for p in self.players if p.participant_id == participant_id), None)

    def scored(self, slide_id: str, participant_id: int) -> quiz.Scored | None:
        for slide, answers in self.questions:
            if slide.id == slide_id:
                return next((a for a in answers if a.participant_id == participant_id), None)
        return None

    def summaries(self) -> list[quiz.QuestionSummary]:
        return [quiz.summarise(slide, answers) for slide, answers in self.questions]


def is_question(slide: Slide) -> bool:
    """Whether the slide is a quiz question (of the quiz kind, or one built on it)."""
    return isinstance(kind_of(slide.kind), QuizKind)


def shows_board(slide: Slide) -> bool:
    """Whether the slide shows the leaderboard (`shows_leaderboard`)."""
    return bool(getattr(kind_of(slide.kind), "shows_leaderboard", False))


def quiz_slides(session: Session) -> list[Slide]:
    return [slide for slide in session.deck.slides if is_question(slide)]


def leaderboard_shown(session: Session) -> bool:
    """Whether the facilitator has shown a leaderboard slide (participants may read it)."""
    return any(shows_board(s) and s.id in session.state.visited for s in session.deck.slides)


class Quiz:
    """Nicknames and standings of every session's quiz."""

    def __init__(
        self,
        store: SqlStore,
        sessions: SessionCache,
        access: Access,
        participation: Participation,
        tally_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = QuizStore(store)
        self._profiles = ProfileStore(store)
        self._sessions = sessions
        self._access = access
        self._participation = participation
        self._boards: RecentValues[tuple[int, int, bool], Board] = RecentValues(
            tally_interval, clock
        )

    async def set_nickname(self, code: str, token: str | None, nickname: object) -> str:
        """Give the participant a nickname for this session's quiz; returns it as stored.
        InvalidAnswer (422) for a banned, too long or unreadable one, NicknameTaken (409)
        when another participant has it."""
        participant = await self._participation.participant(code, token)
        session = participant.session
        cleaned = quiz.clean_nickname(nickname, banned_words(session.deck))
        try:
            await self._store.set_nickname(
                session.id, participant.id, cleaned, quiz.nickname_key(cleaned)
            )
        except NicknameTaken:
            raise quiz.NicknameTaken(
                N_("Someone in this session already has the nickname '%(nickname)s'."),
                nickname=cleaned,
            ) from None
        return cleaned

    async def results(self, session: Session) -> quiz.QuizResults | None:
        """The quiz for the report and exports; None when the deck has no quiz question."""
        if not quiz_slides(session):
            return None
        board = await self.board(session, revealed_only=False)
        return quiz.QuizResults(tuple(board.summaries()), board.players)

    async def nickname_of(self, participant_id: int) -> str | None:
        return await self._store.nickname_of(participant_id)

    async def board(self, session: Session, *, revealed_only: bool = True) -> Board:
        """The quiz scored now (shared by every caller within a tally interval). Live
        screens and the API count the revealed questions only, or a phone's points and
        place would tell it whether it was right before the reveal; the report and the
        exports (`revealed_only=False`) count every question."""
        return await self._boards.get(
            (session.id, session.state.version, revealed_only),
            lambda: self._score(session, revealed_only),
        )

    async def _score(self, session: Session, revealed_only: bool) -> Board:
        slides = [
            slide
            for slide in quiz_slides(session)
            if slide.id in session.state.revealed or not revealed_only
        ]
        answers = await self._store.timed_answers(session.id, [slide.id for slide in slides])
        questions = tuple(
            (
                slide,
                tuple(
                    quiz.score_question(slide, timer_of(session.state, slide.id), answers[slide.id])
                ),
            )
            for slide in slides
        )
        nicknames = await self._store.nicknames(session.id)
        players = quiz.standings([scored for _, scored in questions], nicknames)
        return Board(questions, tuple(players))

    async def teams(self, session: Session, board: Board, question_id: str | None) -> list[Any]:
        """The team standings by a profile question's groups ([] without one)."""
        question = next((q for q in session.deck.info.profile if q.id == question_id), None)
        if question is None:
            return []
        answers = await self._profiles.of_session(session.id)
        team_of: dict[int, str] = {}
        for participant_id, given in answers.items():
            option = question.option(answer_of(question, given))
            if option is not None:
                team_of[participant_id] = option.label
        return quiz.team_standings(board.players, team_of)

    async def leaderboard(
        self, code: str, user: User | None, token: str | None, teams: str | None = None
    ) -> dict[str, Any]:
        """`{"players": [...], "teams": [...]}` for a facilitator, or for a participant
        once the facilitator has shown a leaderboard slide. `teams` names the profile
        question whose groups are the teams (default: the leaderboard slides' `teams:`)."""
        session = await self._sessions.get(code)
        if not await self._access.may_facilitate(session, user):
            participant = await self._participation.participant(code, token)
            session = participant.session
            if not leaderboard_shown(session):
                raise NotAllowed(N_("The leaderboard is not shown yet."))
        board = await self.board(session)
        question = teams or self._deck_teams(session)
        return {
            "players": [player.as_dict() for player in board.players],
            "teams": [team.as_dict() for team in await self.teams(session, board, question)],
        }

    @staticmethod
    def _deck_teams(session: Session) -> str | None:
        return next(
            (teams_question(s) for s in session.deck.slides if teams_question(s)),
            None,
        )

    async def screen(self, session: Session, slide: Slide | None) -> dict[str, Any] | None:
        """What a leaderboard slide shows (standings, top ten, podium, teams), or a quiz
        question's scoring once revealed; None for other slides."""
        if slide is None:
            return None
        if shows_board(slide):
            board = await self.board(session)
            question = teams_question(slide)
            return {
                "players": list(board.players),
                "top": list(board.players[: quiz.TOP]),
                "moves": self._moves(session, slide, board),
                "teams": await self.teams(session, board, question),
            }
        return None

    @staticmethod
    def _moves(session: Session, slide: Slide, board: Board) -> dict[int, int]:
        """Participant id → places moved up (negative: down) by the last question before
        this leaderboard slide, for the top ten's animation; a newcomer to the top ten
        comes up from just below it."""
        before = session.deck.slides[: session.deck.slides.index(slide)]
        last = next((s.id for s in reversed(before) if is_question(s)), None)
        earlier = [scored for s, scored in board.questions if s.id != last]
        nicknames = {p.participant_id: p.nickname for p in board.players}
        previous = {
            p.participant_id: place
            for place, p in enumerate(quiz.standings(earlier, nicknames), start=1)
        }
        return {
            p.participant_id: min(previous.get(p.participant_id, quiz.TOP + 1), quiz.TOP + 1)
            - place
            for place, p in enumerate(board.players[: quiz.TOP], start=1)
        }

    async def phone(
        self, session: Session, slide: Slide | None, participant_id: int
    ) -> dict[str, Any] | None:
        """A phone's quiz: its nickname, points and place, and on a revealed question
        whether it was right and what it earned (never before the reveal). None on a
        slide that is neither a quiz question nor a leaderboard."""
        if slide is None or not (is_question(slide) or shows_board(slide)):
            return None
        board = await self.board(session)
        standing = board.standing_of(participant_id)
        revealed = slide.id in session.state.revealed
        mine = board.scored(slide.id, participant_id)  # None before the reveal
        return {
            "nickname": await self._store.nickname_of(participant_id),
            "points": standing.points if standing else 0,
            "rank": standing.rank if standing else None,
            "players": len(board.players),
            "revealed": revealed,
            "answered": mine is not None,
            "right": bool(mine and mine.right),
            "earned": mine.points if mine else 0,
        }
