"""A batch of answers through the batched writer: one mixed batch (a stale version, a timer
that ended, a participant answering twice, idempotency keys new and replayed) gets each
answer's outcome and writes exactly the rows it should; and a batch that fails tells
its callers, never committing half of it. On SQLite and (with --database postgresql)
PostgreSQL alike: the writer runs a batch in one way on both."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage import open_store
from denkdag.storage.answer_writes import REPLAYED, STALE, STORED, AnswerOutcome, AnswerWrite
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


async def _room(store: SqlStore, code: str) -> tuple[int, int, list[int]]:
    deck = parse_deck(seed_deck_text())
    session = await store.create_session(code, None, deck, start(deck))
    people = [await store.add_participant(session.id, f"{code}-{i}") for i in range(4)]
    return session.id, session.state.version, people


async def _rows(store: SqlStore, session_id: int) -> tuple[list[Any], list[Any]]:
    async with store.engine.connect() as conn:
        answers = (
            await conn.execute(
                select(responses.c.participant_id, responses.c.slide_id, responses.c.value)
                .where(responses.c.session_id == session_id)
                .order_by(responses.c.participant_id, responses.c.slide_id)
            )
        ).all()
        keys = (
            await conn.execute(
                select(answer_keys.c.participant_id, answer_keys.c.slide_id)
                .add_columns(answer_keys.c.idempotency_key)
                .order_by(answer_keys.c.idempotency_key)
            )
        ).all()
        stamps = (
            (
                await conn.execute(
                    select(responses.c.updated_at).where(responses.c.session_id == session_id)
                )
            )
            .scalars()
            .all()
        )
    assert stamps and all(stamp.year >= 2026 for stamp in stamps)  # read back as times
    return [tuple(r) for r in answers], [tuple(r) for r in keys]


async def _submit(store: SqlStore, batch: list[AnswerWrite]) -> list[AnswerOutcome]:
    """The answers queued together, so that the writer takes them as one batch."""
    return list(await asyncio.gather(*(store.write_answer(answer) for answer in batch)))


async def test_a_mixed_batch_gets_each_answers_outcome_and_its_rows(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        session_id, version, people = await _room(store, "24682468")
        a, _, _, d = people
        batches_before = store.writer.batches
        outcomes = []
        for batch in _batches(session_id, version, people):
            outcomes += await _submit(store, batch)
        assert store.writer.batches == batches_before + 2  # each list was one batch
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
        answers, keys = await _rows(store, session_id)
        assert answers == [
            (a, "s4", '["b"]'),
            (a, "s6", '"é ✓ \U0001f600"'),
            (d, "s4", '"c"'),
        ]
        assert keys == [(d, "s4", "key-1"), (d, "s4", "key-2")]
    finally:
        await store.close()


async def test_a_failing_batch_fails_only_its_bad_write(database_url: str) -> None:
    """One bad write in a batch (an answer of a participant who does not exist) rolls the
    batch back; the writer then runs its writes one by one, so the bad one's caller gets
    the database's error and the others are committed."""
    store = await open_store(database_url)
    try:
        session_id, version, people = await _room(store, "13571357")
        failed = store.writer.failed_batches
        votes = [AnswerWrite(session_id, "s4", pid, "b", version) for pid in people]
        nobody = AnswerWrite(session_id, "s4", max(people) + 1000, "a", version)
        results = await asyncio.gather(
            *(store.write_answer(vote) for vote in [votes[0], nobody, *votes[1:]]),
            return_exceptions=True,
        )
        assert store.writer.failed_batches == failed + 1
        assert isinstance(results[1], IntegrityError)
        assert [results[0], *results[2:]] == [AnswerOutcome(STORED, "b")] * len(people)
        assert await store.slide_answers(session_id, "s4") == ["b"] * len(people)
    finally:
        await store.close()
