"""The queries of the browser editor: deck versions, saved with their session.

A change is stored as a new row of `deck_revisions` together with the session's deck and
state, in one transaction. The row's primary key (session, version) makes two saves of
the same version collide, on every instance and both databases: the loser is told it
edited a stale deck instead of overwriting the other person's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from denkdag.domain.model import Deck, LiveState
from denkdag.storage import codec
from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import deck_revisions, sessions

KEEP = 100
"""Versions kept per session (older ones go, and undo stops there)."""


class Saved(StrEnum):
    """What became of a save."""

    SAVED = "saved"
    CONFLICT = "conflict"  # the deck is no longer at the expected version
    STATE_MOVED = "state_moved"  # the live state changed meanwhile: recompute and retry


@dataclass(frozen=True)
class Revision:
    """One stored deck version: which version undo returns to, what changed, when."""

    version: int
    previous: int | None
    change: str
    user_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class DeckChange:
    """A deck to store as version `expected + 1`, if the session is still at `expected`."""

    session_id: int
    expected: int
    deck: Deck
    before: Deck
    state: LiveState
    expected_state: int
    previous: int | None
    change: str
    user_id: int | None


class _StateMoved(Exception):
    pass


class DeckRevisions:
    """Deck versions in the store's database."""

    def __init__(self, store: SqlStore) -> None:
        self.engine = store.engine
        self.reader = store.reader

    async def current(self, session_id: int) -> Revision | None:
        """The latest version of the session's deck; None before its first edit."""
        query = (
            select(deck_revisions)
            .where(deck_revisions.c.session_id == session_id)
            .order_by(deck_revisions.c.version.desc())
            .limit(1)
        )
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return Revision(row.version, row.previous, row.change, row.user_id, row.created_at)

    async def revision(self, session_id: int, version: int) -> Revision | None:
        query = select(deck_revisions).where(
            deck_revisions.c.session_id == session_id, deck_revisions.c.version == version
        )
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return Revision(row.version, row.previous, row.change, row.user_id, row.created_at)

    async def deck_at(self, session_id: int, version: int) -> Deck | None:
        query = select(deck_revisions.c.deck).where(
            deck_revisions.c.session_id == session_id, deck_revisions.c.version == version
        )
        async with self.reader.connect() as conn:
            text = (await conn.execute(query)).scalar_one_or_none()
        return codec.load_deck(text) if text is not None else None

    async def save(self, change: DeckChange) -> Saved:
        """Store the change with the session's deck and state, all or nothing."""
        version = change.expected + 1
        try:
            async with self.engine.begin() as conn:
                latest = (
                    await conn.execute(
                        select(func.max(deck_revisions.c.version)).where(
                            deck_revisions.c.session_id == change.session_id
                        )
                    )
                ).scalar_one_or_none()
                if (latest or 0) != change.expected:
                    return Saved.CONFLICT
                stamp = now()
                rows = []
                if latest is None:
                    rows.append(self._row(change, 0, change.before, None, "start", stamp))
                rows.append(
                    self._row(change, version, change.deck, change.previous, change.change, stamp)
                )
                await conn.execute(deck_revisions.insert(), rows)
                result = await conn.execute(
                    update(sessions)
                    .where(
                        sessions.c.id == change.session_id,
                        sessions.c.state_version == change.expected_state,
                    )
                    .values(
                        deck=codec.dump_deck(change.deck),
                        title=change.deck.info.title,
                        state=codec.dump_state(change.state),
                        state_version=change.state.version,
                    )
                )
                if result.rowcount != 1:
                    raise _StateMoved
                await conn.execute(
                    delete(deck_revisions).where(
                        deck_revisions.c.session_id == change.session_id,
                        deck_revisions.c.version <= version - KEEP,
                    )
                )
        except IntegrityError:
            return Saved.CONFLICT
        except _StateMoved:
            return Saved.STATE_MOVED
        return Saved.SAVED

    @staticmethod
    def _row(
        change: DeckChange,
        version: int,
        deck: Deck,
        previous: int | None,
        label: str,
        stamp: datetime,
    ) -> dict[str, object]:
        return {
            "session_id": change.session_id,
            "version": version,
            "deck": codec.dump_deck(deck),
            "previous": previous,
            "change": label[:80],
            "user_id": change.user_id,
            "created_at": stamp,
        }
