"""How far participants are through a session at audience pace (a survey).

Two counting queries over the answers table, for the projector's progress view: how many
participants answered each slide, and how many answered every question.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from denkdag.storage.store import SqlStore
from denkdag.storage.tables import responses


async def answered_per_slide(store: SqlStore, session_id: int) -> dict[str, int]:
    """Slide id → how many participants have an answer on it (one row each)."""
    query = (
        select(responses.c.slide_id, func.count())
        .where(responses.c.session_id == session_id)
        .group_by(responses.c.slide_id)
    )
    async with store.reader.connect() as conn:
        return {str(slide): int(count) for slide, count in await conn.execute(query)}


async def finished(store: SqlStore, session_id: int, slide_ids: Collection[str]) -> int:
    """How many participants have answered every one of `slide_ids` (the questions)."""
    if not slide_ids:
        return 0
    per_participant = (
        select(responses.c.participant_id)
        .where(responses.c.session_id == session_id, responses.c.slide_id.in_(slide_ids))
        .group_by(responses.c.participant_id)
        .having(func.count() == len(slide_ids))
        .subquery()
    )
    async with store.reader.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(per_participant))).scalar_one()
        )
