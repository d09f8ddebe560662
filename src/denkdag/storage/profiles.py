"""The SQL of participant profile answers (SQLite and PostgreSQL).

Kept beside `SqlStore` (whose engines and batched writer it uses). A participant's row
goes with the participant and with the session (ON DELETE CASCADE on both), so deleting a
session stays total.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import participant_profiles, participants

Answers = dict[str, str | None]


def _load(text: str) -> Answers:
    data = json.loads(text)
    if not isinstance(data, dict):
        return {}
    return {str(k): (v if isinstance(v, str) else None) for k, v in data.items()}


class ProfileStore:
    """Profile answers of participants, in the database of a `SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def put(self, session_id: int, participant_id: int, answers: Answers) -> None:
        """Record or replace a participant's answers; returns once committed.

        Through the batched writer, like joins: a room that joins at once also answers the
        profile question at once.
        """
        row: dict[str, Any] = {
            "participant_id": participant_id,
            "session_id": session_id,
            "answers": json.dumps(answers, ensure_ascii=False, sort_keys=True),
            "updated_at": now(),
        }
        stmt = self.store._insert(participant_profiles).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=["participant_id"],
            set_={"answers": stmt.excluded.answers, "updated_at": stmt.excluded.updated_at},
        )

        def job(conn: Connection) -> None:
            conn.execute(stmt)

        await self.store.writer.submit(job)

    async def of_participant(self, participant_id: int) -> Answers | None:
        """The participant's answers; None when they have neither answered nor skipped."""
        query = select(participant_profiles.c.answers).where(
            participant_profiles.c.participant_id == participant_id
        )
        async with self.store.reader.connect() as conn:
            text = (await conn.execute(query)).scalar_one_or_none()
        return _load(text) if text is not None else None

    async def of_session(self, session_id: int) -> dict[int, Answers]:
        """Every stored answer of the session's participants, by participant id."""
        query = select(participant_profiles.c.participant_id, participant_profiles.c.answers).where(
            participant_profiles.c.session_id == session_id
        )
        async with self.store.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {int(row.participant_id): _load(row.answers) for row in rows}

    async def participant_ids(self, session_id: int) -> list[int]:
        """Everyone who joined the session (the population export labels are counted in)."""
        query = (
            select(participants.c.id)
            .where(participants.c.session_id == session_id)
            .order_by(participants.c.id)
        )
        async with self.store.reader.connect() as conn:
            return [int(pid) for pid in (await conn.execute(query)).scalars().all()]
