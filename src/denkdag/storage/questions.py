"""The SQL of Q&A: questions, their upvotes and their moderation (SQLite and PostgreSQL).

Kept beside `SqlStore` (whose engines it uses) so the store's own module stays about
answers. Deleting a session deletes its questions and votes by ON DELETE CASCADE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, func, select, update

from denkdag.domain.questions import APPROVED, PENDING, Question
from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import question_votes, questions


def _question(row: Any) -> Question:
    return Question(
        id=row.id,
        text=row.text,
        status=row.status,
        answered=bool(row.answered),
        on_screen=bool(row.on_screen),
        votes=int(row.votes),
        created_at=row.created_at,
    )


def _with_votes() -> Any:
    votes = (
        select(func.count())
        .where(question_votes.c.question_id == questions.c.id)
        .scalar_subquery()
        .label("votes")
    )
    return select(
        questions.c.id,
        questions.c.text,
        questions.c.status,
        questions.c.answered,
        questions.c.on_screen,
        questions.c.created_at,
        votes,
    )


class QuestionStore:
    """Questions of sessions, in the database of a `SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def add(self, session_id: int, participant_id: int, text: str, status: str) -> Question:
        created = now()
        row = {
            "session_id": session_id,
            "participant_id": participant_id,
            "text": text,
            "status": status,
            "answered": False,
            "on_screen": False,
            "created_at": created,
        }
        async with self.store.engine.begin() as conn:
            result = await conn.execute(questions.insert().values(**row).returning(questions.c.id))
            new_id = int(result.scalar_one())
        return Question(new_id, text, status, False, False, 0, created)

    async def of_session(self, session_id: int) -> list[Question]:
        query = _with_votes().where(questions.c.session_id == session_id)
        async with self.store.reader.connect() as conn:
            return [_question(row) for row in (await conn.execute(query)).all()]

    async def waiting_of(self, session_id: int, participant_id: int) -> list[Question]:
        """The participant's own questions still waiting for approval, oldest first."""
        query = (
            _with_votes()
            .where(
                questions.c.session_id == session_id,
                questions.c.participant_id == participant_id,
                questions.c.status == PENDING,
            )
            .order_by(questions.c.id)
        )
        async with self.store.reader.connect() as conn:
            return [_question(row) for row in (await conn.execute(query)).all()]

    async def one(self, session_id: int, question_id: int) -> Question | None:
        query = _with_votes().where(
            questions.c.session_id == session_id, questions.c.id == question_id
        )
        async with self.store.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _question(row) if row else None

    async def voted_by(self, session_id: int, participant_id: int) -> set[int]:
        """The ids of this session's questions the participant has voted for."""
        query = (
            select(question_votes.c.question_id)
            .join(questions, questions.c.id == question_votes.c.question_id)
            .where(
                questions.c.session_id == session_id,
                question_votes.c.participant_id == participant_id,
            )
        )
        async with self.store.reader.connect() as conn:
            return set((await conn.execute(query)).scalars().all())

    async def toggle_vote(self, question_id: int, participant_id: int) -> bool:
        """Add the participant's vote, or take it back if it was there; whether it is now."""
        match = and_(
            question_votes.c.question_id == question_id,
            question_votes.c.participant_id == participant_id,
        )
        async with self.store.engine.begin() as conn:
            removed = await conn.execute(delete(question_votes).where(match))
            if removed.rowcount:
                return False
            insert = self.store._insert(question_votes).values(
                question_id=question_id, participant_id=participant_id, created_at=now()
            )
            await conn.execute(insert.on_conflict_do_nothing())
        return True

    async def moderate(
        self,
        session_id: int,
        question_id: int,
        *,
        status: str | None = None,
        answered: bool | None = None,
        on_screen: bool | None = None,
    ) -> Question | None:
        """Change a question's flags; putting one on screen takes any other off it.

        A question that is not approved is never on screen.
        """
        where = and_(questions.c.session_id == session_id, questions.c.id == question_id)
        async with self.store.engine.begin() as conn:
            current = (await conn.execute(select(questions.c.status).where(where))).first()
            if current is None:
                return None
            changes: dict[str, Any] = {}
            if status is not None:
                changes["status"] = status
            if answered is not None:
                changes["answered"] = answered
            if on_screen is not None:
                changes["on_screen"] = on_screen
            if (status or current.status) != APPROVED:
                changes["on_screen"] = False
            if changes.get("on_screen"):
                await conn.execute(
                    update(questions)
                    .where(questions.c.session_id == session_id, questions.c.on_screen)
                    .values(on_screen=False)
                )
            if changes:
                await conn.execute(update(questions).where(where).values(**changes))
        return await self.one(session_id, question_id)
