"""The SQL of statement rounds: the room's statements and every vote on a round.

Votes come from phones in bursts, so they take the answers' path: the batched writer
(`storage/writer.py`) gives each batch of votes to `_write_votes`, which checks the
sessions' state versions (share-locked on PostgreSQL, as answers do) and writes the batch
with one idempotent upsert (one vote per participant per statement; the last one wins).
Deleting a session or a participant deletes its statements and votes by ON DELETE CASCADE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, select, update

from denkdag.domain.kinds.statement_round import (
    ROOM_ORIGIN,
    RoundStatement,
    RoundVote,
    room_id,
    room_number,
)
from denkdag.storage.clock import now
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import round_statements, round_votes, sessions

STORED = "stored"
STALE = "stale"


@dataclass(frozen=True)
class VoteWrite:
    """A vote to record, valid only while its session is at `expected_version`."""

    session_id: int
    slide_id: str
    statement_id: str
    participant_id: int
    value: str
    expected_version: int


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _statement(row: Any) -> RoundStatement:
    return RoundStatement(
        id=room_id(int(row.id)),
        text=row.text,
        origin=ROOM_ORIGIN,
        status=row.status,
        created_at=_utc(row.created_at),
        author=row.participant_id,
    )


class RoundStore:
    """Statements and votes of statement rounds, in the database of a `SqlStore`."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    # statements -------------------------------------------------------------------

    async def add(
        self, session_id: int, slide_id: str, participant_id: int, text: str, status: str
    ) -> RoundStatement:
        created = now()
        row = {
            "session_id": session_id,
            "slide_id": slide_id,
            "participant_id": participant_id,
            "text": text,
            "status": status,
            "created_at": created,
        }

        def job(conn: Connection) -> int:
            insert = round_statements.insert().values(**row).returning(round_statements.c.id)
            return int(conn.execute(insert).scalar_one())

        new_id = int(await self.store.writer.submit(job))
        return RoundStatement(room_id(new_id), text, ROOM_ORIGIN, status, created, participant_id)

    async def statements(
        self, session_id: int, slide_id: str | None = None
    ) -> list[RoundStatement]:
        """The room's statements of one round (or of every round), oldest first."""
        query = select(round_statements).where(round_statements.c.session_id == session_id)
        if slide_id is not None:
            query = query.where(round_statements.c.slide_id == slide_id)
        async with self.store.reader.connect() as conn:
            rows = (await conn.execute(query.order_by(round_statements.c.id))).all()
        return [_statement(row) for row in rows]

    async def statements_by_slide(self, session_id: int) -> dict[str, list[RoundStatement]]:
        query = (
            select(round_statements)
            .where(round_statements.c.session_id == session_id)
            .order_by(round_statements.c.id)
        )
        found: dict[str, list[RoundStatement]] = {}
        async with self.store.reader.connect() as conn:
            for row in (await conn.execute(query)).all():
                found.setdefault(row.slide_id, []).append(_statement(row))
        return found

    async def one(self, session_id: int, slide_id: str, statement_id: str) -> RoundStatement | None:
        number = room_number(statement_id)
        if number is None:
            return None
        query = select(round_statements).where(
            round_statements.c.session_id == session_id,
            round_statements.c.slide_id == slide_id,
            round_statements.c.id == number,
        )
        async with self.store.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        return _statement(row) if row else None

    async def set_status(
        self, session_id: int, slide_id: str, statement_id: str, status: str
    ) -> RoundStatement | None:
        number = room_number(statement_id)
        if number is None:
            return None
        where = and_(
            round_statements.c.session_id == session_id,
            round_statements.c.slide_id == slide_id,
            round_statements.c.id == number,
        )
        async with self.store.engine.begin() as conn:
            await conn.execute(update(round_statements).where(where).values(status=status))
        return await self.one(session_id, slide_id, statement_id)

    # votes ------------------------------------------------------------------------

    async def write_vote(self, vote: VoteWrite) -> str:
        """Record or replace a vote through the batched writer: STORED once committed, or
        STALE (nothing written) when the session's state moved past the expected version."""
        outcome: str = await self.store.writer.submit_grouped(self._write_votes, vote)
        return outcome

    def _write_votes(self, conn: Connection, batch: Sequence[VoteWrite]) -> list[str]:
        query = (
            select(sessions.c.id, sessions.c.state_version)
            .where(sessions.c.id.in_({v.session_id for v in batch}))
            .with_for_update(read=True)  # FOR SHARE: a state change waits for our commit
        )
        versions = {int(r.id): int(r.state_version) for r in conn.execute(query)}
        outcomes = []
        rows: dict[tuple[int, str, str], dict[str, Any]] = {}
        stamp = now()
        for vote in batch:
            if versions.get(vote.session_id) != vote.expected_version:
                outcomes.append(STALE)
                continue
            outcomes.append(STORED)
            rows[(vote.participant_id, vote.slide_id, vote.statement_id)] = {
                "session_id": vote.session_id,
                "slide_id": vote.slide_id,
                "statement_id": vote.statement_id,
                "participant_id": vote.participant_id,
                "value": vote.value,
                "updated_at": stamp,
            }  # the last one of a batch wins
        if rows:
            stmt = self.store._insert(round_votes)
            stmt = stmt.on_conflict_do_update(
                index_elements=["participant_id", "slide_id", "statement_id"],
                set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
            )
            conn.execute(stmt, list(rows.values()))
        return outcomes

    async def votes(self, session_id: int, slide_id: str | None = None) -> list[RoundVote]:
        return [vote for _, vote in await self.slide_votes(session_id, slide_id)]

    async def slide_votes(
        self, session_id: int, slide_id: str | None = None
    ) -> list[tuple[str, RoundVote]]:
        """(slide id, vote) of one round, or of every round of the session."""
        query = select(round_votes).where(round_votes.c.session_id == session_id)
        if slide_id is not None:
            query = query.where(round_votes.c.slide_id == slide_id)
        query = query.order_by(round_votes.c.slide_id, round_votes.c.participant_id)
        async with self.store.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            (
                row.slide_id,
                RoundVote(
                    int(row.participant_id), row.statement_id, row.value, _utc(row.updated_at)
                ),
            )
            for row in rows
        ]

    async def votes_of(self, participant_id: int, slide_id: str) -> dict[str, str]:
        """The participant's votes on one round: statement id → agree, disagree or pass."""
        query = select(round_votes.c.statement_id, round_votes.c.value).where(
            round_votes.c.participant_id == participant_id, round_votes.c.slide_id == slide_id
        )
        async with self.store.reader.connect() as conn:
            return {row.statement_id: row.value for row in (await conn.execute(query)).all()}

    async def delete_votes_before(self, cutoff: datetime) -> int:
        """The retention purge of votes, like answers: last changed before `cutoff`."""
        async with self.store.engine.begin() as conn:
            result = await conn.execute(
                delete(round_votes).where(round_votes.c.updated_at < cutoff)
            )
        return int(result.rowcount or 0)
