"""The SQL of the quiz (SQLite and PostgreSQL): nicknames, and answers with their times.

Kept beside `SqlStore` (whose engines it uses). A nickname goes with its participant and
its session (ON DELETE CASCADE on both), and with the answers at the retention purge.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from denkdag.domain.quiz import Timed
from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import quiz_nicknames, responses


class NicknameTaken(Exception):
    """Another participant of the session holds the nickname (its folded key)."""


class QuizStore:
    """Nicknames of a session's participants, and the timed answers of its quiz."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def set_nickname(
        self, session_id: int, participant_id: int, nickname: str, key: str
    ) -> None:
        """Give (or change) a participant's nickname; NicknameTaken when another
        participant of the session has the same key. The unique index decides, so two
        phones asking for one name at once cannot both have it."""
        async with self.store.engine.begin() as conn:
            taken = (
                await conn.execute(
                    select(quiz_nicknames.c.participant_id).where(
                        quiz_nicknames.c.session_id == session_id,
                        quiz_nicknames.c.nickname_key == key,
                    )
                )
            ).scalar_one_or_none()
            if taken is not None and int(taken) != participant_id:
                raise NicknameTaken(key)
            await conn.execute(
                delete(quiz_nicknames).where(quiz_nicknames.c.participant_id == participant_id)
            )
            try:
                await conn.execute(
                    quiz_nicknames.insert().values(
                        participant_id=participant_id,
                        session_id=session_id,
                        nickname=nickname,
                        nickname_key=key,
                        updated_at=now(),
                    )
                )
            except IntegrityError:
                raise NicknameTaken(key) from None

    async def nicknames(self, session_id: int) -> dict[int, str]:
        """Participant id → nickname, for everyone of the session who chose one."""
        query = select(quiz_nicknames.c.participant_id, quiz_nicknames.c.nickname).where(
            quiz_nicknames.c.session_id == session_id
        )
        async with self.store.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {int(row.participant_id): str(row.nickname) for row in rows}

    async def nickname_of(self, participant_id: int) -> str | None:
        query = select(quiz_nicknames.c.nickname).where(
            quiz_nicknames.c.participant_id == participant_id
        )
        async with self.store.reader.connect() as conn:
            found = (await conn.execute(query)).scalar_one_or_none()
        return None if found is None else str(found)

    async def timed_answers(
        self, session_id: int, slide_ids: Sequence[str]
    ) -> dict[str, list[Timed]]:
        """Slide id → every participant's answer with when it was last stored."""
        found: dict[str, list[Timed]] = {slide_id: [] for slide_id in slide_ids}
        if not slide_ids:
            return found
        query = (
            select(
                responses.c.slide_id,
                responses.c.participant_id,
                responses.c.value,
                responses.c.updated_at,
            )
            .where(responses.c.session_id == session_id, responses.c.slide_id.in_(slide_ids))
            .order_by(responses.c.id)
        )
        async with self.store.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        for row in rows:
            stamp: datetime = row.updated_at
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=UTC)
            found[row.slide_id].append(
                Timed(int(row.participant_id), json.loads(row.value), stamp.timestamp())
            )
        return found

    async def delete_nicknames_before(self, cutoff: datetime) -> int:
        """The retention purge of nicknames, like answers: set before `cutoff`."""
        async with self.store.engine.begin() as conn:
            result = await conn.execute(
                delete(quiz_nicknames).where(quiz_nicknames.c.updated_at < cutoff)
            )
        return int(result.rowcount or 0)
