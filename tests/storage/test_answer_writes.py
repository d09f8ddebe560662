"""A batch of answers is written the same whichever way it goes: through SQLAlchemy (every
database) or as the writer's SQLite twin on the inline sqlite3 connection. The same mixed
batch (a stale version, a timer that ended, a participant answering twice, idempotency
keys new and replayed) runs both ways on two copies of a room; outcomes and rows agree."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage import open_store
from denkdag.storage.answer_writes import REPLAYED, STALE, STORED, AnswerWrite
from denkdag.storage.engine import sqlite_path
from denkdag.storage.store import SqlStore
from denkdag.storage.tables import answer_keys, responses

pytestmark = pytest.mark.anyio


def _batches(session_id: int, version: int, people: list[int]) -> list[list[AnswerWrite]]:
    a, b, c, d = people
    past = time.time() - 1
    first = [
        AnswerWrite(session_id, "s4", a, "a", version),
        AnswerWrite(session_id, "s4", b, "a", version + 1),  # the session moved on
        AnswerWrite(session_id, "s4", c, "b", version, deadline=past),  # the timer ended
        AnswerWrite(session_id, "s4", d, "a", version, "key-1"),
        AnswerWrite(session_id, "s4", a, ["b"], version),  # a's second answer wins
        AnswerWrite(session_id, "s6", a, "é ✓ \U0001f600", None),  # unguarded
    ]
    second = [
        AnswerWrite(session_id, "s4", d, "b", version, "key-1"),  # a retry: replayed
        AnswerWrite(session_id, "s4", d, "c", version, "key-2"),
        AnswerWrite(session_id, "s4", d, "a", version, "key-2"),  # same key, same batch
    ]
    return [first, second]


async def _room(url: str) -> tuple[SqlStore, int, int, list[int]]:
    store = await open_store(url)
    deck = parse_deck(seed_deck_text())
    session = await store.create_session("24682468", None, deck, start(deck))
    people = [await store.add_participant(session.id, f"p{i}") for i in range(4)]
    return store, session.id, session.state.version, people


async def _rows(store: SqlStore) -> tuple[list[Any], list[Any]]:
    async with store.engine.connect() as conn:
        answers = (
            await conn.execute(
                select(
                    responses.c.participant_id, responses.c.slide_id, responses.c.value
                ).order_by(responses.c.participant_id, responses.c.slide_id)
            )
        ).all()
        keys = (
            await conn.execute(
                select(answer_keys.c.participant_id, answer_keys.c.slide_id)
                .add_columns(answer_keys.c.idempotency_key)
                .order_by(answer_keys.c.idempotency_key)
            )
        ).all()
        stamps = (await conn.execute(select(responses.c.updated_at))).scalars().all()
    assert stamps and all(stamp.year >= 2026 for stamp in stamps)  # read back as times
    return [tuple(r) for r in answers], [tuple(r) for r in keys]


async def test_the_sqlite_twin_writes_what_sqlalchemy_writes(tmp_path: Path) -> None:
    core, session_id, version, people = await _room(f"sqlite:///{tmp_path / 'core.sqlite3'}")
    twin_url = f"sqlite:///{tmp_path / 'twin.sqlite3'}"
    twin, twin_session, twin_version, twin_people = await _room(twin_url)
    assert (twin_session, twin_version, twin_people) == (session_id, version, people)
    try:
        path = sqlite_path(twin_url)
        assert path is not None
        db = sqlite3.connect(path, isolation_level=None)
        outcomes = []
        for batch in _batches(session_id, version, people):
            async with core.engine.begin() as conn:
                through_core = await core.answers.write(conn, batch)
            db.execute("BEGIN IMMEDIATE")
            through_twin = twin.answers.write_sqlite(db, batch)
            db.commit()
            assert through_twin == through_core
            outcomes += through_core
        db.close()
        assert [o.status for o in outcomes] == [
            STORED,
            STALE,
            STALE,
            STORED,
            STORED,
            STORED,
            REPLAYED,
            STORED,
            REPLAYED,
        ]
        # A replay answers with what is stored once the batch committed, not its own value.
        assert outcomes[6].value == outcomes[8].value == "c"
        assert await _rows(twin) == await _rows(core)
    finally:
        await core.close()
        await twin.close()


async def test_the_writer_takes_the_twin_for_votes_and_sqlalchemy_for_jobs(
    tmp_path: Path,
) -> None:
    store, session_id, _, people = await _room(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    try:
        writer = store.writer
        before = (writer.sqlite_batches, writer.fallbacks)
        await asyncio.gather(*(store.put_answer(session_id, "s4", pid, "b") for pid in people))
        assert writer.sqlite_batches > before[0] and writer.fallbacks == before[1]
        votes = writer.sqlite_batches
        await store.add_participant(session_id, "late")  # a job: SQLAlchemy's connection
        assert writer.sqlite_batches == votes and writer.fallbacks == before[1]
        assert await store.slide_answers(session_id, "s4") == ["b"] * len(people)
    finally:
        await store.close()
