"""The queries of word-cloud moderation: the words a facilitator hid, per slide.

A hidden word is stored by its counting key (folded, as the tally counts it), so every
spelling of it is hidden at once and a participant cannot bring it back by typing it
differently. Showing it again deletes the row. Rows go with their session.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import hidden_words


class HiddenWordStore:
    """Hidden word-cloud words in the store's database."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def of_slide(self, session_id: int, slide_id: str) -> frozenset[str]:
        """The hidden word keys of one slide."""
        query = select(hidden_words.c.word).where(
            hidden_words.c.session_id == session_id, hidden_words.c.slide_id == slide_id
        )
        async with self.store.reader.connect() as conn:
            return frozenset((await conn.execute(query)).scalars().all())

    async def of_session(self, session_id: int) -> dict[str, frozenset[str]]:
        """Slide id → its hidden word keys, for every slide of the session that hides any."""
        query = select(hidden_words.c.slide_id, hidden_words.c.word).where(
            hidden_words.c.session_id == session_id
        )
        found: dict[str, set[str]] = {}
        async with self.store.reader.connect() as conn:
            for row in await conn.execute(query):
                found.setdefault(row.slide_id, set()).add(row.word)
        return {slide_id: frozenset(words) for slide_id, words in found.items()}

    async def set_hidden(self, session_id: int, slide_id: str, word: str, hidden: bool) -> None:
        """Hide `word` (a counting key) on the slide, or show it again; idempotent."""
        async with self.store.engine.begin() as conn:
            if hidden:
                row = {
                    "session_id": session_id,
                    "slide_id": slide_id,
                    "word": word,
                    "created_at": now(),
                }
                await conn.execute(
                    self.store._insert(hidden_words).values(row).on_conflict_do_nothing()
                )
            else:
                await conn.execute(
                    delete(hidden_words).where(
                        hidden_words.c.session_id == session_id,
                        hidden_words.c.slide_id == slide_id,
                        hidden_words.c.word == word,
                    )
                )
