"""The SQL store: every query Denkdag makes, the same for SQLite and PostgreSQL.

Writes that phones make (joins, answers) go through the batched writer; the rarer writes
of facilitators (sessions, state changes, accounts) use their own transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Select, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from denkdag.domain.model import Deck, LiveState, Session, StoredAnswer, User
from denkdag.domain.tally import AnswerRecord
from denkdag.storage import codec
from denkdag.storage.answer_writes import (
    REPLAYED,
    AnswerOutcome,
    AnswerStatements,
    AnswerWrite,
)
from denkdag.storage.clock import now
from denkdag.storage.engine import create_engines
from denkdag.storage.tables import (
    answer_keys,
    answer_moderation,
    api_tokens,
    invitations,
    participants,
    responses,
    session_facilitators,
    sessions,
    users,
)
from denkdag.storage.writer import BatchWriter

EXPORT_PARTITION = 200
"""Rows an export reads and decodes at a time (a few milliseconds of the event loop)."""


class CodeTaken(Exception):
    """The join code is already used by another session."""


class Refused(Enum):
    """Why a join added nobody (`SqlStore.add_participant`)."""

    NEEDS_INVITATION = "needs invitation"
    """The session has invitation codes: nobody joins without an unused one."""
    FULL = "full"
    """The session's capacity is reached."""
    UNKNOWN_INVITATION = "unknown invitation"
    """No unused invitation of the session has this code."""


def _run_migrations(connection: Connection) -> None:
    from alembic import command  # about 0.3 s to import: only where the schema is brought up
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "denkdag.storage:migrations")
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


class SqlStore:
    """Denkdag's persistent state in one SQL database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine, self.reader = create_engines(url)
        self.dialect = self.engine.dialect.name
        self.writer = BatchWriter(self.engine)
        self.answers = AnswerStatements(self._insert)

    async def open(self) -> None:
        """Upgrade the schema to the latest migration and start the writer."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_run_migrations)
        self.writer.start()

    async def close(self) -> None:
        await self.writer.stop()
        await self.engine.dispose()
        if self.reader is not self.engine:
            await self.reader.dispose()

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    # users and tokens ---------------------------------------------------------------

    async def user_by_name(self, username: str) -> User | None:
        if "\x00" in username:
            # No name holds NUL (sign-up allows letters, digits and ._- only), and
            # PostgreSQL's text cannot even be asked about one: no such account.
            return None
        async with self.reader.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.username == username))).first()
        return User(row.id, row.username, row.password_hash, row.role) if row else None

    async def user_by_id(self, user_id: int) -> User | None:
        async with self.reader.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        return User(row.id, row.username, row.password_hash, row.role) if row else None

    async def ensure_user(self, username: str) -> User:
        """The account named `username`, created (without a password) if it is new."""
        existing = await self.user_by_name(username)
        if existing is not None:
            return existing
        async with self.engine.begin() as conn:
            stmt = (
                self._insert(users)
                .values(username=username, password_hash=None, created_at=now())
                .on_conflict_do_nothing(index_elements=["username"])
            )
            await conn.execute(stmt)
        user = await self.user_by_name(username)
        assert user is not None
        return user

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(users).where(users.c.id == user_id).values(password_hash=password_hash)
            )

    async def add_token(
        self, user_id: int, token_hash: str, kind: str, expires_at: datetime | None = None
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                api_tokens.insert().values(
                    user_id=user_id,
                    token_hash=token_hash,
                    kind=kind,
                    created_at=now(),
                    expires_at=expires_at,
                )
            )

    async def user_for_token(self, token_hash: str, kinds: Sequence[str]) -> User | None:
        query = (
            select(users, api_tokens.c.expires_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash, api_tokens.c.kind.in_(kinds))
        )
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        expires = row.expires_at
        if expires is not None:
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            if expires < now():
                return None
        return User(row.id, row.username, row.password_hash, row.role)

    async def delete_token(self, token_hash: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(api_tokens).where(api_tokens.c.token_hash == token_hash))

    # sessions -----------------------------------------------------------------------

    async def create_session(
        self, code: str, owner_id: int | None, deck: Deck, state: LiveState
    ) -> Session:
        """Store a new session; CodeTaken if another session has `code`."""
        try:
            async with self.engine.begin() as conn:
                result = await conn.execute(
                    sessions.insert()
                    .values(
                        code=code,
                        owner_id=owner_id,
                        title=deck.info.title,
                        deck=codec.dump_deck(deck),
                        state=codec.dump_state(state),
                        state_version=state.version,
                        created_at=now(),
                    )
                    .returning(sessions.c.id)
                )
                session_id = int(result.scalar_one())
        except IntegrityError as error:
            raise CodeTaken(code) from error
        return Session(id=session_id, code=code, deck=deck, state=state, owner_id=owner_id)

    @staticmethod
    def _session(row: Any) -> Session:
        return Session(
            id=row.id,
            code=row.code,
            deck=codec.load_deck(row.deck),
            state=codec.load_state(row.state, row.state_version),
            owner_id=row.owner_id,
        )

    async def session_by_code(self, code: str) -> Session | None:
        async with self.reader.connect() as conn:
            row = (await conn.execute(select(sessions).where(sessions.c.code == code))).first()
        return self._session(row) if row else None

    async def session_by_id(self, session_id: int) -> Session | None:
        async with self.reader.connect() as conn:
            row = (await conn.execute(select(sessions).where(sessions.c.id == session_id))).first()
        return self._session(row) if row else None

    async def sessions_of(self, owner_id: int) -> list[Session]:
        """The sessions this user owns or was invited to co-facilitate."""
        invited = select(session_facilitators.c.session_id).where(
            session_facilitators.c.user_id == owner_id
        )
        query = (
            select(sessions)
            .where((sessions.c.owner_id == owner_id) | sessions.c.id.in_(invited))
            .order_by(sessions.c.id)
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [self._session(row) for row in rows]

    async def save_state(self, session_id: int, state: LiveState, expected_version: int) -> bool:
        """Store `state` if nobody changed the session since `expected_version`."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.state_version == expected_version)
                .values(state=codec.dump_state(state), state_version=state.version)
            )
        return bool(result.rowcount == 1)

    # participants and answers ------------------------------------------------------------

    async def add_participant(
        self, session_id: int, token_hash: str, capacity: int | None = None
    ) -> int | Refused:
        """A new anonymous participant's id, or why nobody was added: the session has
        invitation codes (`Refused.NEEDS_INVITATION`), or `capacity` participants have
        joined already (`Refused.FULL`).

        Both are checked in the join's own transaction (a job of the batched writer), so a
        join costs the event loop no read of its own and no two joins, on any instance,
        take the last seat (`_seat_left`)."""

        def job(conn: Connection) -> int | Refused:
            if conn.execute(_any_invitation(session_id)).first() is not None:
                return Refused.NEEDS_INVITATION
            if not _seat_left(conn, session_id, capacity):
                return Refused.FULL
            return _insert_participant(conn, session_id, token_hash)

        result: int | Refused = await self.writer.submit(job)
        return result

    async def participant_for_token(self, token_hash: str) -> tuple[int, int] | None:
        """(participant id, session id) for a participant token's hash."""
        query = select(participants.c.id, participants.c.session_id).where(
            participants.c.token_hash == token_hash
        )
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        return (int(row.id), int(row.session_id)) if row else None

    async def participants_of_session(self, session_id: int, limit: int) -> list[tuple[str, int]]:
        """(token hash, participant id) of the session's newest `limit` participants, in one
        query: how an instance fills its token cache when it first loads a session."""
        query = (
            select(participants.c.token_hash, participants.c.id)
            .where(participants.c.session_id == session_id)
            .order_by(participants.c.id.desc())
            .limit(limit)
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [(str(row.token_hash), int(row.id)) for row in rows]

    async def count_participants(self, session_id: int) -> int:
        query = select(func.count()).where(participants.c.session_id == session_id)
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def put_answer(
        self, session_id: int, slide_id: str, participant_id: int, value: Any
    ) -> None:
        """Record or replace an answer, unguarded; returns once it is committed."""
        await self.write_answer(AnswerWrite(session_id, slide_id, participant_id, value))

    def write_answer(self, answer: AnswerWrite) -> Awaitable[AnswerOutcome]:
        """Record or replace an answer through the batched writer: the outcome, once
        committed, to await (the writer's future itself, see BatchWriter.submit_grouped)."""
        return self.writer.submit_grouped(self.answers.write, answer)

    async def answer_for_key(
        self, participant_id: int, slide_id: str, idempotency_key: str
    ) -> AnswerOutcome | None:
        """A REPLAYED outcome if this key was applied to this answer before, else None."""
        applied = select(answer_keys.c.participant_id).where(
            answer_keys.c.participant_id == participant_id,
            answer_keys.c.slide_id == slide_id,
            answer_keys.c.idempotency_key == idempotency_key,
        )
        async with self.reader.connect() as conn:
            if (await conn.execute(applied)).first() is None:
                return None
        return AnswerOutcome(REPLAYED, await self.answer_of(participant_id, slide_id))

    async def answer_of(self, participant_id: int, slide_id: str) -> Any | None:
        query = select(responses.c.value).where(
            responses.c.participant_id == participant_id, responses.c.slide_id == slide_id
        )
        async with self.reader.connect() as conn:
            value = (await conn.execute(query)).scalar_one_or_none()
        return json.loads(value) if value is not None else None

    async def answers_of(self, participant_id: int) -> dict[str, Any]:
        query = select(responses.c.slide_id, responses.c.value).where(
            responses.c.participant_id == participant_id
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {row.slide_id: json.loads(row.value) for row in rows}

    async def slide_answers(self, session_id: int, slide_id: str) -> list[Any]:
        query = select(responses.c.value).where(
            responses.c.session_id == session_id, responses.c.slide_id == slide_id
        )
        async with self.reader.connect() as conn:
            values = (await conn.execute(query)).scalars().all()
        return [json.loads(value) for value in values]

    async def slide_answer_records(self, session_id: int, slide_id: str) -> list[AnswerRecord]:
        """Every answer on a slide with its id, time and moderation (open answers, clouds)."""
        query = (
            select(
                responses.c.id,
                responses.c.value,
                responses.c.updated_at,
                answer_moderation.c.hidden,
                answer_moderation.c.highlighted,
                answer_moderation.c.value_digest,
            )
            .select_from(
                responses.outerjoin(
                    answer_moderation, answer_moderation.c.response_id == responses.c.id
                )
            )
            .where(responses.c.session_id == session_id, responses.c.slide_id == slide_id)
            .order_by(responses.c.id)
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_answer_record(row) for row in rows]

    async def moderate_answer(
        self,
        session_id: int,
        slide_id: str,
        response_id: int,
        *,
        hidden: bool | None = None,
        highlighted: bool | None = None,
    ) -> AnswerRecord | None:
        """Hide/show or highlight one answer; None when the slide has no such answer.

        A highlight is tied to the text it was given to: if the author changes the answer,
        it is no longer highlighted. Hidden stays hidden whatever the author does.
        """
        answer_query = select(responses.c.value).where(
            responses.c.id == response_id,
            responses.c.session_id == session_id,
            responses.c.slide_id == slide_id,
        )
        flags_query = select(answer_moderation).where(
            answer_moderation.c.response_id == response_id
        )
        async with self.engine.begin() as conn:
            value = (await conn.execute(answer_query)).scalar_one_or_none()
            if value is None:
                return None
            before = (await conn.execute(flags_query)).first()
            digest = _value_digest(value)
            was_highlighted = bool(before and before.highlighted and before.value_digest == digest)
            row = {
                "response_id": response_id,
                "hidden": bool(before.hidden) if hidden is None and before else bool(hidden),
                "highlighted": was_highlighted if highlighted is None else highlighted,
                "value_digest": digest,
                "updated_at": now(),
            }
            stmt = self._insert(answer_moderation).values(**row)
            stmt = stmt.on_conflict_do_update(
                index_elements=["response_id"],
                set_={key: stmt.excluded[key] for key in row if key != "response_id"},
            )
            await conn.execute(stmt)
        records = await self.slide_answer_records(session_id, slide_id)
        return next((record for record in records if record.id == response_id), None)

    async def join_times(self, session_id: int) -> list[datetime]:
        """When each participant of the session joined, earliest first (for reports)."""
        query = (
            select(participants.c.created_at)
            .where(participants.c.session_id == session_id)
            .order_by(participants.c.created_at)
        )
        async with self.reader.connect() as conn:
            return list((await conn.execute(query)).scalars().all())

    async def delete_session(self, session_id: int) -> None:
        """Delete the session, its participants (and their tokens) and answers, for good.

        On SQLite `secure_delete` (set on every connection) zeroes the freed pages, and
        the WAL is checkpointed and truncated, so no byte of the session stays on disk.
        """
        async with self.engine.begin() as conn:
            await conn.execute(delete(responses).where(responses.c.session_id == session_id))
            await conn.execute(delete(participants).where(participants.c.session_id == session_id))
            await conn.execute(delete(sessions).where(sessions.c.id == session_id))
        if self.dialect == "sqlite":
            await self._checkpoint()

    async def _checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it (outside any transaction)."""
        async with self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            for _ in range(50):
                cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, _log, _done = await cursor.fetchone()
                await cursor.close()
                if not busy:
                    return
                await asyncio.sleep(0.1)
        raise RuntimeError("the database stayed busy; the WAL could not be truncated")

    async def session_answers(self, session_id: int) -> list[StoredAnswer]:
        """Every current answer of the session with its moderation (for exports)."""
        query = (
            select(
                responses.c.participant_id,
                responses.c.slide_id,
                responses.c.value,
                responses.c.updated_at,
                answer_moderation.c.hidden,
                answer_moderation.c.highlighted,
                answer_moderation.c.value_digest,
            )
            .select_from(
                responses.outerjoin(
                    answer_moderation, answer_moderation.c.response_id == responses.c.id
                )
            )
            .where(responses.c.session_id == session_id)
            .order_by(responses.c.slide_id, responses.c.participant_id)
        )
        answers: list[StoredAnswer] = []
        async with self.reader.connect() as conn:
            # In partitions: a big session's answers (16,000 for 400 slides × 40 people) are
            # read and decoded a slice at a time, the event loop free for votes in between.
            result = await conn.stream(query)
            async for rows in result.partitions(EXPORT_PARTITION):
                answers += [
                    StoredAnswer(
                        row.participant_id,
                        row.slide_id,
                        json.loads(row.value),
                        row.updated_at,
                        hidden=bool(row.hidden),
                        highlighted=bool(row.highlighted)
                        and row.value_digest == _value_digest(row.value),
                    )
                    for row in rows
                ]
        return answers

    # invitations and retention -----------------------------------------------------------

    async def add_invitations(self, session_id: int, code_hashes: Sequence[str]) -> None:
        stamp = now()
        rows = [
            {"session_id": session_id, "code_hash": code_hash, "created_at": stamp}
            for code_hash in code_hashes
        ]
        async with self.engine.begin() as conn:
            await conn.execute(invitations.insert(), rows)

    async def needs_invitation(self, session_id: int) -> bool:
        """True when the session has invitation codes: then nobody joins without one."""
        async with self.reader.connect() as conn:
            return (await conn.execute(_any_invitation(session_id))).first() is not None

    async def add_invited_participant(
        self, session_id: int, token_hash: str, code_hash: str, capacity: int | None = None
    ) -> int | Refused:
        """A participant admitted by an unused invitation, which it uses up; or why nobody
        was added (`Refused.UNKNOWN_INVITATION`, `Refused.FULL`). One transaction (a job of
        the batched writer): a code never joins twice, and no two joins take the last
        seat."""

        def job(conn: Connection) -> int | Refused:
            unused = (
                invitations.c.session_id == session_id,
                invitations.c.code_hash == code_hash,
                invitations.c.used_at.is_(None),
            )
            if conn.execute(select(invitations.c.id).where(*unused)).first() is None:
                return Refused.UNKNOWN_INVITATION
            if not _seat_left(conn, session_id, capacity):
                return Refused.FULL
            participant_id = _insert_participant(conn, session_id, token_hash)
            claimed = conn.execute(
                update(invitations)
                .where(*unused)
                .values(used_at=now(), participant_id=participant_id)
            )
            if claimed.rowcount != 1:  # only where another instance claimed it just now
                raise _ClaimLost()
            return participant_id

        try:
            result: int | Refused = await self.writer.submit(job)
        except _ClaimLost:
            return Refused.UNKNOWN_INVITATION
        return result

    async def count_invitations(self, session_id: int) -> tuple[int, int]:
        """(invitations, of which used) of a session."""
        query = select(func.count(), func.count(invitations.c.used_at)).where(
            invitations.c.session_id == session_id
        )
        async with self.reader.connect() as conn:
            total, used = (await conn.execute(query)).one()
        return int(total), int(used)

    async def delete_answers_before(self, cutoff: datetime) -> int:
        """Delete every answer last changed before `cutoff`; how many were deleted."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(responses).where(responses.c.updated_at < cutoff))
        if self.dialect == "sqlite" and result.rowcount:
            await self._checkpoint()
        return int(result.rowcount or 0)


async def open_store(url: str) -> SqlStore:
    """A ready store for `url`: migrated, with its writer running."""
    store = SqlStore(url)
    await store.open()
    return store


def _value_digest(stored_value: str) -> str:
    """The SHA-256 of a stored answer's JSON text (what a highlight was given to)."""
    return hashlib.sha256(stored_value.encode("utf-8")).hexdigest()


def _answer_record(row: Any) -> AnswerRecord:
    stamp = row.updated_at
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    highlighted = bool(row.highlighted) and row.value_digest == _value_digest(row.value)
    return AnswerRecord(
        id=int(row.id),
        value=json.loads(row.value),
        updated_at=stamp,
        hidden=bool(row.hidden),
        highlighted=highlighted,
    )


class _ClaimLost(Exception):
    """Another transaction used the invitation between our read and our claim: the job
    raises, so its transaction (the participant just added) is rolled back."""


def _any_invitation(session_id: int) -> Select[tuple[int]]:
    """One invitation of the session, if it has any: a session with codes admits no one
    without one (the join's own check, and the join page's question)."""
    return select(invitations.c.id).where(invitations.c.session_id == session_id).limit(1)


def _seat_left(conn: Connection, session_id: int, capacity: int | None) -> bool:
    """Whether a session with `capacity` (None: no limit) admits one more participant.

    On PostgreSQL the session's row is locked first (until the join's transaction ends),
    so concurrent joins from several instances count one after the other; on SQLite the
    writer's transaction holds the database's one write lock already."""
    if not capacity:
        return True
    if conn.dialect.name == "postgresql":
        conn.execute(select(sessions.c.id).where(sessions.c.id == session_id).with_for_update())
    joined = select(func.count()).where(participants.c.session_id == session_id)
    return int(conn.execute(joined).scalar_one()) < capacity


def _insert_participant(conn: Connection, session_id: int, token_hash: str) -> int:
    result = conn.execute(
        participants.insert()
        .values(session_id=session_id, token_hash=token_hash, created_at=now())
        .returning(participants.c.id)
    )
    return int(result.scalar_one())
