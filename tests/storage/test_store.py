"""The SQL store, the same tests on SQLite and PostgreSQL (`--database postgresql`)."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage import CodeTaken, open_store
from denkdag.storage.tables import metadata

pytestmark = pytest.mark.anyio


async def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        async with store.engine.connect() as conn:

            def diff(sync_conn):  # type: ignore[no-untyped-def]
                context = MigrationContext.configure(sync_conn)
                return compare_metadata(context, metadata)

            assert await conn.run_sync(diff) == []
    finally:
        await store.close()


async def test_opening_twice_is_harmless(database_url: str) -> None:
    for _ in range(2):
        store = await open_store(database_url)
        await store.close()


async def test_concurrent_answers_are_exact_and_replace(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        deck = parse_deck(seed_deck_text())
        session = await store.create_session("11112222", None, deck, start(deck))
        ids = await asyncio.gather(
            *(store.add_participant(session.id, f"h{i}") for i in range(200))
        )
        assert len(set(ids)) == 200
        await asyncio.gather(*(store.put_answer(session.id, "s4", pid, "a") for pid in ids))
        await asyncio.gather(*(store.put_answer(session.id, "s4", pid, "b") for pid in ids[:50]))
        answers = await store.slide_answers(session.id, "s4")
        assert sorted(answers).count("a") == 150 and answers.count("b") == 50
        assert store.writer.batches < store.writer.jobs  # writes were grouped
        with pytest.raises(CodeTaken):
            await store.create_session("11112222", None, deck, start(deck))
    finally:
        await store.close()


async def test_a_failing_write_does_not_sink_its_batch(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        deck = parse_deck(seed_deck_text())
        session = await store.create_session("33334444", None, deck, start(deck))
        good = await store.add_participant(session.id, "good")
        results = await asyncio.gather(
            store.put_answer(session.id, "s4", good, "a"),
            store.put_answer(session.id, "s4", 999_999, "a"),  # no such participant
            return_exceptions=True,
        )
        assert results[0] is None and isinstance(results[1], Exception)
        assert await store.slide_answers(session.id, "s4") == ["a"]
    finally:
        await store.close()


async def test_state_saves_only_from_the_version_it_read(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        deck = parse_deck(seed_deck_text())
        state = start(deck)
        session = await store.create_session("55556666", None, deck, state)
        from dataclasses import replace

        newer = replace(state, current_slide="s2", version=state.version + 1)
        assert await store.save_state(session.id, newer, state.version)
        assert not await store.save_state(session.id, newer, state.version)
        loaded = await store.session_by_code("55556666")
        assert loaded is not None and loaded.state == newer
    finally:
        await store.close()
