"""The SQL store: every query Denkdag makes, the same for SQLite and PostgreSQL.

Writes that phones make (joins, answers) go through the batched writer; the rarer writes
of facilitators (sessions, state changes, accounts) use their own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from denkdag.domain.model import Deck, LiveState, Session
from denkdag.storage import codec
from denkdag.storage.engine import create_engines
from denkdag.storage.tables import api_tokens, participants, responses, sessions, users
from denkdag.storage.writer import BatchWriter


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class User:
    """A facilitator account."""

    id: int
    username: str
    password_hash: str | None


@dataclass(frozen=True)
class StoredAnswer:
    """One participant's current answer on one slide, for exports."""

    participant_id: int
    slide_id: str
    value: Any
    updated_at: datetime


class CodeTaken(Exception):
    """The join code is already used by another session."""


def _run_migrations(connection: Connection) -> None:
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
        async with self.reader.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.username == username))).first()
        return User(row.id, row.username, row.password_hash) if row else None

    async def user_by_id(self, user_id: int) -> User | None:
        async with self.reader.connect() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        return User(row.id, row.username, row.password_hash) if row else None

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
        return User(row.id, row.username, row.password_hash)

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
        query = select(sessions).where(sessions.c.owner_id == owner_id).order_by(sessions.c.id)
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [self._session(row) for row in rows]

    async def session_with_title(self, title: str) -> Session | None:
        query = select(sessions).where(sessions.c.title == title).order_by(sessions.c.id).limit(1)
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        return self._session(row) if row else None

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

    async def add_participant(self, session_id: int, token_hash: str) -> int:
        async def job(conn: AsyncConnection) -> int:
            result = await conn.execute(
                participants.insert()
                .values(session_id=session_id, token_hash=token_hash, created_at=now())
                .returning(participants.c.id)
            )
            return int(result.scalar_one())

        return int(await self.writer.submit(job))

    async def participant_for_token(self, token_hash: str) -> tuple[int, int] | None:
        """(participant id, session id) for a participant token's hash."""
        query = select(participants.c.id, participants.c.session_id).where(
            participants.c.token_hash == token_hash
        )
        async with self.reader.connect() as conn:
            row = (await conn.execute(query)).first()
        return (int(row.id), int(row.session_id)) if row else None

    async def count_participants(self, session_id: int) -> int:
        query = select(func.count()).where(participants.c.session_id == session_id)
        async with self.reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def put_answer(
        self, session_id: int, slide_id: str, participant_id: int, value: Any
    ) -> None:
        """Record or replace an answer; returns once it is committed."""
        encoded = json.dumps(value, ensure_ascii=False)
        stamp = now()
        stmt = self._insert(responses).values(
            session_id=session_id,
            slide_id=slide_id,
            participant_id=participant_id,
            value=encoded,
            updated_at=stamp,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["participant_id", "slide_id"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )

        async def job(conn: AsyncConnection) -> None:
            await conn.execute(stmt)

        await self.writer.submit(job)

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

    async def session_answers(self, session_id: int) -> list[StoredAnswer]:
        query = (
            select(responses)
            .where(responses.c.session_id == session_id)
            .order_by(responses.c.slide_id, responses.c.participant_id)
        )
        async with self.reader.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            StoredAnswer(row.participant_id, row.slide_id, json.loads(row.value), row.updated_at)
            for row in rows
        ]


async def open_store(url: str) -> SqlStore:
    """A ready store for `url`: migrated, with its writer running."""
    store = SqlStore(url)
    await store.open()
    return store
