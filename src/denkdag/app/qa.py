"""Q&A use cases: ask, upvote, moderate, and the coalesced `questions` live event.

The web layer resolves who is asking (a participant of the session, or its facilitator)
through the service; this module then decides (domain/questions), commits (storage), and
only then marks the session's board dirty. Like tallies, a burst of questions and votes
becomes at most a few `questions` events a second: participants receive the approved
questions, facilitators all of them. A participant's own votes are not in the event (it
goes to everyone): the phone keeps them from GET and from its vote replies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from denkdag.domain.errors import N_, NotFound
from denkdag.domain.model import Session
from denkdag.domain.questions import (
    Question,
    accept_question,
    board,
    check_open,
    check_status,
    check_vote,
)
from denkdag.live import Broadcaster, Coalescer, MemoryBroadcaster
from denkdag.storage import SqlStore
from denkdag.storage.questions import QuestionStore

BOARD = "questions"


class LiveQuestions:
    """The Q&A of every session, over one store and broadcaster."""

    def __init__(
        self,
        store: SqlStore,
        broadcaster: Broadcaster,
        topic: Callable[[Session], str],
        interval: float,
    ) -> None:
        self.store = QuestionStore(store)
        self.broadcaster = broadcaster
        self._topic = topic
        shared = not isinstance(broadcaster, MemoryBroadcaster)
        self._coalescer = Coalescer(self._publish, interval, settle=shared)
        self._sessions: dict[int, Session] = {}

    async def stop(self) -> None:
        await self._coalescer.stop()

    async def of_session(self, session: Session) -> list[Question]:
        """Every question of the session (the facilitator's export)."""
        return await self.store.of_session(session.id)

    def forget(self, session_id: int) -> None:
        self._sessions.pop(session_id, None)

    def _changed(self, session: Session) -> None:
        self._sessions[session.id] = session
        self._coalescer.touch(session.id, BOARD)

    async def ask(self, session: Session, participant_id: int, text: object) -> Question:
        """Store a new question (pending or approved, as the session moderates)."""
        cleaned, status = accept_question(session.deck, text)
        question = await self.store.add(session.id, participant_id, cleaned, status)
        self._changed(session)
        return question

    async def vote(self, session: Session, participant_id: int, question_id: int) -> Question:
        """Toggle the participant's upvote of a visible question; the question after it."""
        check_open(session.deck)
        check_vote(await self.store.one(session.id, question_id))
        await self.store.toggle_vote(question_id, participant_id)
        self._changed(session)
        return check_vote(await self.store.one(session.id, question_id))

    async def waiting(self, session: Session, participant_id: int) -> list[Question]:
        """The asker's own questions the facilitator has not approved yet: shown to the
        asker alone (marked as waiting), so a question never seems lost."""
        return await self.store.waiting_of(session.id, participant_id)

    async def voted(self, session: Session, participant_id: int) -> set[int]:
        return await self.store.voted_by(session.id, participant_id)

    async def listing(self, session: Session, *, facilitator: bool) -> dict[str, Any]:
        """Every question for the facilitator; the most voted approved ones for phones."""
        listed = await self.store.of_session(session.id)
        if facilitator:
            return board(listed, facilitator=True, limit=None)
        return board(listed, facilitator=False)

    async def moderate(
        self,
        session: Session,
        question_id: int,
        *,
        status: str | None = None,
        answered: bool | None = None,
        on_screen: bool | None = None,
    ) -> Question:
        """A facilitator's change of one question (the caller checked the role)."""
        check_status(status)
        question = await self.store.moderate(
            session.id, question_id, status=status, answered=answered, on_screen=on_screen
        )
        if question is None:
            raise NotFound(
                N_("This session has no question %(question_id)s."), question_id=question_id
            )
        self._changed(session)
        return question

    async def _publish(self, session_id: int, _boards: set[str]) -> None:
        session = self._sessions.get(session_id)
        if session is None:
            return
        listed = await self.store.of_session(session_id)
        await self.broadcaster.publish(
            self._topic(session),
            "questions",
            board(listed, facilitator=False),
            board(listed, facilitator=True),
        )
