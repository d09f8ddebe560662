"""The queries of pending imports: a read slide file kept, by an unguessable token, for
the one facilitator who uploaded it, until they review it (storage/tables.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, insert, select

from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import pending_imports

KEPT = timedelta(hours=1)
"""How long an import waits for its review."""


class PendingImports:
    """Pending imports in the store's database."""

    def __init__(self, store: SqlStore) -> None:
        self.engine = store.engine

    async def put(self, token: str, user_id: int, data: bytes) -> None:
        """Keep an import (and forget every one older than KEPT)."""
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(pending_imports).where(pending_imports.c.created_at < now() - KEPT)
            )
            row = {"token": token, "user_id": user_id, "data": data, "created_at": now()}
            await conn.execute(insert(pending_imports).values(row))

    async def get(self, token: str, user_id: int) -> bytes | None:
        """The user's import under this token, while it is kept."""
        query = select(pending_imports.c.data).where(
            pending_imports.c.token == token,
            pending_imports.c.user_id == user_id,
            pending_imports.c.created_at >= now() - KEPT,
        )
        async with self.engine.connect() as conn:  # not a replica: it was just written
            data = (await conn.execute(query)).scalar()
        return bytes(data) if data is not None else None

    async def drop(self, token: str, user_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(pending_imports).where(
                    pending_imports.c.token == token, pending_imports.c.user_id == user_id
                )
            )
