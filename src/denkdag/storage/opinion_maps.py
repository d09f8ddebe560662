"""The queries of stored opinion maps: one row per session, the last map computed.

The map itself is opaque JSON here (opinions.py writes and reads it). A write carries the
computing instance's fencing token (live/leases.py) and is kept only when no write with a
higher token is stored: an instance that lost its lease (paused past its expiry, say)
cannot overwrite the map of the instance that took over. The row goes with its session
(foreign key, ON DELETE CASCADE).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import opinion_maps


@dataclass(frozen=True)
class StoredMap:
    fence: int
    number: int
    data: str


class OpinionMapStore:
    """Opinion maps in the store's database."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def put(self, session_id: int, fence: int, number: int, data: str) -> bool:
        """Store the session's map unless one with a higher fencing token is stored;
        whether it was stored."""
        row = {
            "session_id": session_id,
            "fence": fence,
            "number": number,
            "data": data,
            "computed_at": now(),
        }
        insert = self.store._insert(opinion_maps).values(row)
        statement = insert.on_conflict_do_update(
            index_elements=[opinion_maps.c.session_id],
            set_={
                name: insert.excluded[name] for name in ("fence", "number", "data", "computed_at")
            },
            where=opinion_maps.c.fence <= insert.excluded.fence,
        )
        async with self.store.engine.begin() as conn:
            result = await conn.execute(statement)
        return bool(result.rowcount)

    async def get(self, session_id: int) -> StoredMap | None:
        query = select(opinion_maps.c.fence, opinion_maps.c.number, opinion_maps.c.data).where(
            opinion_maps.c.session_id == session_id
        )
        async with self.store.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        return StoredMap(row.fence, row.number, row.data) if row is not None else None
