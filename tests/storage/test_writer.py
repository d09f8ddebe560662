"""The batched writer's inline SQLite connection: it never blocks the event loop on a lock
another connection holds (it hands the batch to the ordinary engine, which waits off the
loop, and acknowledges only after that commit), and it keeps the WAL bounded by
checkpointing it off the loop."""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage import engine, open_store, writer
from denkdag.storage.engine import sqlite_path
from denkdag.storage.store import SqlStore
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def sqlite_url(database_url: str) -> str:
    if sqlite_path(database_url) is None:
        pytest.skip("the inline connection is SQLite's only")
    return database_url


async def _room(store: SqlStore, code: str, people: int) -> tuple[int, list[int]]:
    deck = parse_deck(seed_deck_text())
    session = await store.create_session(code, None, deck, start(deck))
    ids = [await store.add_participant(session.id, f"{code}-{i}") for i in range(people)]
    return session.id, ids


async def test_a_locked_database_delays_a_write_without_blocking_the_loop(sqlite_url: str) -> None:
    store = await open_store(sqlite_url)
    try:
        session_id, (pid,) = await _room(store, "55556666", 1)
        assert store.writer.inline  # a SQLite file: batches run inline
        path = sqlite_path(sqlite_url)
        assert path is not None
        other = sqlite3.connect(path, isolation_level=None)  # a second instance, the CLI …
        other.execute("BEGIN IMMEDIATE")  # … holding the write lock
        fallbacks = store.writer.fallbacks
        write = asyncio.ensure_future(store.put_answer(session_id, "s4", pid, "b"))
        turns = 0

        async def turning() -> None:
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(turning())
        # The inline connection gives way, and the loop goes on turning while the write
        # waits for the lock. (Had it waited on the loop's thread, this same thread could
        # not release the lock: the write would fail after the busy timeout.)
        await wait_until(lambda: store.writer.fallbacks > fallbacks and turns > 100)
        ticker.cancel()
        assert not write.done()  # not acknowledged: nothing is committed yet
        other.execute("COMMIT")
        other.close()
        await asyncio.wait_for(write, 10)  # acknowledged once the engine committed it
        assert await store.slide_answers(session_id, "s4") == ["b"]
        # The lock is gone: the next batch runs inline again.
        before = store.writer.fallbacks
        await store.put_answer(session_id, "s4", pid, "c")
        assert store.writer.fallbacks == before
        assert await store.slide_answers(session_id, "s4") == ["c"]
    finally:
        await store.close()


async def test_a_lock_held_past_the_busy_timeout_fails_the_batch_at_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Every caller of the batch hears at once (a 503 and a retry for each), instead of
    the batch being retried one write at a time, each waiting the busy timeout again."""
    caplog.set_level(logging.WARNING, logger=writer.__name__)
    monkeypatch.setattr(engine, "BUSY_TIMEOUT", 0.5)
    store = await open_store(sqlite_url)
    try:
        session_id, ids = await _room(store, "12123434", 6)
        path = sqlite_path(sqlite_url)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        batches = store.writer.batches
        results = await asyncio.gather(
            *(store.put_answer(session_id, "s4", pid, "a") for pid in ids),
            return_exceptions=True,
        )
        assert all(isinstance(r, OperationalError) for r in results), results
        assert store.writer.batches - batches < len(ids)  # they were batched together …
        assert "one by one" not in caplog.text  # … and the batch was not retried per write
        other.execute("ROLLBACK")
        other.close()
        await store.put_answer(session_id, "s4", ids[0], "b")
        assert await store.slide_answers(session_id, "s4") == ["b"]
    finally:
        await store.close()


async def _nothing(_conn: object) -> None:
    """A job that writes nothing: its acknowledgement means the writer got this far."""


async def _wal_after_writes(url: str, monkeypatch: pytest.MonkeyPatch, every: float) -> int:
    monkeypatch.setattr(writer, "CHECKPOINT_EVERY", every)
    store = await open_store(url)
    try:
        session_id, ids = await _room(store, "77778888", 20)
        checkpoints = store.writer.checkpoints
        for round_ in range(20):
            for pid in ids:  # one batch each: a new transaction, new WAL frames
                await store.put_answer(session_id, "s4", pid, f"{round_}" + "x" * 3000)
                await asyncio.sleep(0)  # let a checkpoint that was started run
        # The writer works in order: a job submitted now runs after the last write's
        # checkpoint (if one was due) has finished.
        await store.writer.submit(_nothing)
        if every == 0:
            assert store.writer.checkpoints > checkpoints
        else:
            assert store.writer.checkpoints == checkpoints
        path = sqlite_path(url)
        assert path is not None
        return Path(f"{path}-wal").stat().st_size
    finally:
        await store.close()


async def test_the_wal_stays_bounded_under_inline_writes(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wal = await _wal_after_writes(sqlite_url, monkeypatch, 0.0)
    assert wal < 1_000_000, wal


async def test_without_checkpoints_the_wal_would_grow(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The counterpart of the test above: what the checkpoints prevent."""
    wal = await _wal_after_writes(f"sqlite:///{tmp_path / 'grows.sqlite3'}", monkeypatch, math.inf)
    assert wal > 2_000_000, wal


async def test_postgresql_has_no_inline_connection(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        assert bool(store.writer.inline) == (sqlite_path(database_url) is not None)
        session_id, (pid,) = await _room(store, "99990000", 1)
        await store.put_answer(session_id, "s4", pid, "a")
        assert await store.slide_answers(session_id, "s4") == ["a"]
        assert store.writer.fallbacks == 0
    finally:
        await store.close()
