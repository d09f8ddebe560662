"""The batched writer on a SQLite file: it never blocks the event loop on a lock another
connection holds (the wait is on the writer's own thread, and a write is acknowledged only
after its commit), it fails a batch whole when the lock outlasts the busy timeout, and the
WAL stays bounded while votes keep coming."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from denkdag.domain.session_flow import start
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage import engine, open_store
from denkdag.storage.engine import sqlite_path
from denkdag.storage.store import SqlStore
from harness.waiting import wait_until

pytestmark = pytest.mark.anyio


@pytest.fixture
def sqlite_url(database_url: str) -> str:
    if sqlite_path(database_url) is None:
        pytest.skip("locks and the WAL are SQLite's")
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
        path = sqlite_path(sqlite_url)
        assert path is not None
        other = sqlite3.connect(path, isolation_level=None)  # a second instance, the CLI …
        other.execute("BEGIN IMMEDIATE")  # … holding the write lock
        write = asyncio.ensure_future(store.put_answer(session_id, "s4", pid, "b"))
        turns = 0

        async def turning() -> None:
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(turning())
        # The loop goes on turning while the write waits for the lock on the writer's own
        # thread. (Had it waited on the loop's thread, this same thread could not release
        # the lock: the write would fail after the busy timeout.)
        await wait_until(lambda: turns > 100)
        ticker.cancel()
        assert not write.done()  # not acknowledged: nothing is committed yet
        other.execute("COMMIT")
        other.close()
        await asyncio.wait_for(write, 10)  # acknowledged once it is committed
        assert await store.slide_answers(session_id, "s4") == ["b"]
        assert store.writer.failed_batches == 0  # it waited for the lock; nothing failed
    finally:
        await store.close()


async def test_a_lock_held_past_the_busy_timeout_fails_the_batch_at_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Every caller of the batch hears at once (a 503 and a retry for each), instead of
    the batch being retried one write at a time, each waiting the busy timeout again."""
    caplog.set_level(logging.WARNING, logger="denkdag.storage.writer")
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


async def test_the_wal_stays_bounded_while_votes_keep_coming(sqlite_url: str) -> None:
    """SQLite checkpoints the WAL after a commit once it holds about 4 MB (its default),
    on the writer's own thread; the votes below write three times that."""
    store = await open_store(sqlite_url)
    try:
        session_id, ids = await _room(store, "77778888", 20)
        path = sqlite_path(sqlite_url)
        assert path is not None
        for round_ in range(50):
            for pid in ids:  # one batch each: a new transaction, new WAL frames
                await store.put_answer(session_id, "s4", pid, f"{round_}" + "x" * 12_000)
        written = 50 * len(ids) * 12_000
        wal = Path(f"{path}-wal").stat().st_size
        assert wal < written / 2, (wal, written)
    finally:
        await store.close()


async def test_every_database_runs_a_batch_the_same_way(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        session_id, (pid,) = await _room(store, "99990000", 1)
        await store.put_answer(session_id, "s4", pid, "a")
        assert await store.slide_answers(session_id, "s4") == ["a"]
        assert store.writer.failed_batches == 0
    finally:
        await store.close()
